import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inheritedEnv } from '../../test/config.js';
import { runCli } from '../../test/run-cli.js';
import { stackStatePath } from '../stack-state.js';
import { checkDockerEngine } from './engine-check.js';

// What the real probes say here: null when a Docker engine answers.
const engineProblem = await checkDockerEngine().then(() => null, (error: unknown) => (error as Error).message);
if (engineProblem === null) console.warn('the refusal of stack up --docker is not provoked end to end: a Docker engine answers here (engine-check.test.ts covers its message)');
const stateDirs: string[] = [];

function cliEnv(): NodeJS.ProcessEnv {
  const stateDir = mkdtempSync(join(tmpdir(), 'gameday-docker-'));
  stateDirs.push(stateDir);
  return { ...inheritedEnv, GAMEDAY_STATE_DIR: stateDir };
}

afterAll(() => {
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
});

describe('gameday stack up --docker, flags', () => {
  it('refuses --toxiproxy URL with --docker as a usage error, before looking for Docker', async () => {
    const result = await runCli(['stack', 'up', '--docker', '--toxiproxy', 'http://127.0.0.1:8474'], cliEnv());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('GAMEDAY_ERR_USAGE: --docker runs its own Toxiproxy container; leave out --toxiproxy URL');
  });
});

describe.skipIf(engineProblem === null)('gameday stack up --docker without a Docker engine (skipped: a Docker engine answers here)', () => {
  it('exits 1 with the refusal before anything is started or written', async () => {
    const env = cliEnv();
    const stateDir = env.GAMEDAY_STATE_DIR as string;
    const result = await runCli(['stack', 'up', '--docker'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('gameday: GAMEDAY_ERR_NO_DOCKER: --docker needs a running Docker engine (docker info failed: ');
    expect(result.stderr).not.toContain('starting');
    expect(existsSync(stackStatePath(stateDir))).toBe(false);
    expect(existsSync(join(stateDir, 'logs'))).toBe(false);
  });
});
