import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inheritedEnv } from '../../test/config.js';
import { runCli } from '../../test/run-cli.js';
import { checkDockerEngine } from './engine-check.js';
import { builtImages } from './topology.js';

const engineProblem = await checkDockerEngine().then(() => null, (error: unknown) => (error as Error).message);
if (engineProblem) console.warn(`stack/docker/docker-stack.test.ts skipped: ${engineProblem}`);
// A first start pulls five images and builds two.
const upTimeoutMs = 900_000;

async function runningContainersOf(images: string[]): Promise<string[]> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  const client = await getContainerRuntimeClient();
  return (await client.container.list()).filter((container) => images.includes(container.Image)).map((container) => container.Image);
}

describe.skipIf(engineProblem !== null)(`gameday stack up --docker with a real Docker engine (${engineProblem ?? 'an engine answers'})`, () => {
  let stateDir = '';
  let env: NodeJS.ProcessEnv = {};
  let up: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'gameday-docker-stack-'));
    env = { ...inheritedEnv, GAMEDAY_STATE_DIR: stateDir };
    up = await runCli(['stack', 'up', '--docker', '--json', '--workers', '1'], env);
  }, upTimeoutMs);

  afterAll(async () => {
    // Also after a failed test: nothing may outlive it (testcontainers' reaper is the last resort).
    await runCli(['stack', 'down'], env);
    rmSync(stateDir, { recursive: true, force: true });
  }, 120_000);

  it('starts the containers and prints DESIGN.md\'s endpoints, on 127.0.0.1', () => {
    expect(up.code, up.stderr).toBe(0);
    const endpoints = JSON.parse(up.stdout) as Record<string, Record<string, string>>;
    expect(endpoints.redis?.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.dynamodb?.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.bedrock?.admin).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_admin$/);
    expect(endpoints.toxiproxy?.api).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.service?.ws).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/v1\/ws$/);
  });

  it('stack status finds it and every part answers', async () => {
    const status = await runCli(['stack', 'status', '--json'], env);
    expect(status.code, status.stdout).toBe(0);
    const health = (JSON.parse(status.stdout) as { health: Record<string, { ok: boolean }> }).health;
    expect(Object.keys(health).sort()).toEqual(['bedrock', 'dynamodb', 'redis', 'service', 'toxiproxy']);
    expect(Object.values(health).every((part) => part.ok)).toBe(true);
  });

  it('a real round trip through each part, the service also through the carrier proxy', async () => {
    const smoke = await runCli(['smoke', '--json'], env);
    expect(smoke.code, smoke.stdout + smoke.stderr).toBe(0);
  }, 120_000);

  it('stack down removes every container it started', async () => {
    const down = await runCli(['stack', 'down'], env);
    expect(down.code).toBe(0);
    expect(await runningContainersOf([builtImages.service.tag, builtImages.bedrock.tag])).toEqual([]);
  }, 120_000);
});
