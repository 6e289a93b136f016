import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { incidentIds } from '../scenarios/incident.js';
import { type RunStack, startRunStack } from '../scenarios/run/run-stack.js';
import { freePort } from '../stack/ports.js';
import { inheritedEnv } from '../test/config.js';
import { processesUsing } from '../test/processes.js';
import { type CliResult, runCli, startCli } from '../test/run-cli.js';

const dirs: string[] = [];
const servers: Server[] = [];
const children: Array<ReturnType<typeof startCli>> = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-run-cli-'));
  dirs.push(dir);
  return dir;
}

const env = () => ({ ...inheritedEnv, GAMEDAY_STATE_DIR: tempDir() });

afterEach(async () => {
  // A run still going (a failed assertion, a timeout) is interrupted: it reverts its faults and stops its stack.
  for (const { child, result } of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await result;
  }
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], childEnv: NodeJS.ProcessEnv = env()): Promise<CliResult> {
  const started = startCli(args, childEnv);
  children.push(started);
  return started.result;
}

/** An HTTP server that is not the chat service: /healthz and /readyz answer, nothing else does. */
async function impostor(): Promise<string> {
  const server = createServer((request, response) => {
    response.statusCode = request.url === '/healthz' || request.url === '/readyz' ? 200 : 404;
    response.end('{}');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

describe('gameday list', () => {
  it('shows every incident on one line with its title, seed and gate; --json for machines', async () => {
    const [text, json] = await Promise.all([runCli(['list'], env()), runCli(['list', '--json'], env())]);
    expect(text.code).toBe(0);
    for (const id of incidentIds) expect(text.stdout).toMatch(new RegExp(`^${id} +\\S.* +seed \\S.* +gate: \\S`, 'm'));
    expect(text.stdout).toMatch(/^flash-sale .*gate: .*session_context_lost count==0/m);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as { incidents: Array<{ id: string; quickScale: number; thresholds: object }> };
    expect(parsed.incidents.map((incident) => incident.id)).toEqual([...incidentIds]);
    expect(parsed.incidents.every((incident) => incident.quickScale > 0 && Object.keys(incident.thresholds).length > 0)).toBe(true);
    // What `run --suite nightly` runs: ten times the quick duration, or the incident's own night.
    expect(parsed.incidents.find((incident) => incident.id === 'long-session-realtime')).toMatchObject({
      shapes: { '20-turn': expect.any(String), '60-turn': expect.any(String) }, nightly: { shape: '60-turn', durationMs: 100_000 },
    });
    expect(parsed.incidents.find((incident) => incident.id === 'jp-emoji')).toMatchObject({ shapes: null, nightly: { durationMs: 250_000, shape: null } });
  });
});

describe('gameday run refuses clearly, before any load', () => {
  it('an unknown incident names the known ones; bad flags name the flag', async () => {
    const [unknown, noName, scale, engine, profile, bogus, target, contradiction] = await Promise.all([
      runCli(['run', 'meteor'], env()),
      runCli(['run'], env()),
      runCli(['run', 'jp-emoji', '--scale', 'lots'], env()),
      runCli(['run', 'jp-emoji', '--engine', 'jmeter'], env()),
      runCli(['run', 'jp-emoji', '--profile', 'sloppy'], env()),
      runCli(['run', 'jp-emoji', '--bogus'], env()),
      runCli(['run', 'jp-emoji', '--target', 'ftp://127.0.0.1/'], env()),
      runCli(['run', 'jp-emoji', '--profile', 'hardened', '--naive', 'utf16Length'], env()),
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`GAMEDAY_ERR_UNKNOWN_INCIDENT: unknown incident "meteor"; the incidents are ${incidentIds.join(', ')}, or all`);
    expect(noName.stderr).toMatch(/GAMEDAY_ERR_USAGE: name an incident/);
    expect(scale.stderr).toMatch(/GAMEDAY_ERR_USAGE: --scale must be a number .* not "lots"/);
    expect(engine.stderr).toMatch(/GAMEDAY_ERR_USAGE: --engine must be one of builtin, k6, not "jmeter"/);
    expect(profile.stderr).toMatch(/GAMEDAY_ERR_USAGE: --profile must be one of hardened, naive/);
    expect(bogus.stderr).toMatch(/GAMEDAY_ERR_USAGE: .*'--bogus'/);
    expect(target.stderr).toMatch(/GAMEDAY_ERR_USAGE: --target must be .* not "ftp:\/\/127.0.0.1\/"/);
    expect(contradiction.stderr).toMatch(/GAMEDAY_ERR_USAGE: --naive .* not --profile hardened/);
    for (const result of [noName, scale, engine, profile, bogus, target, contradiction]) expect(result.code).toBe(1);
  });

  it('an unreachable --target is a clear error (exit 1) and no load or summary is produced', async () => {
    const out = tempDir();
    const url = `http://127.0.0.1:${await freePort()}`;
    const result = await run(['run', 'jp-emoji', '--target', url, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`GAMEDAY_ERR_TARGET_UNREACHABLE: jp-emoji: the target ${url} does not answer (GET /healthz: ECONNREFUSED)`);
    expect(result.stderr).not.toMatch(/started the fleet|sessions \d+ active/);
    expect(existsSync(join(out, 'jp-emoji-hardened', 'summary.json'))).toBe(false);
  });

  it('a --target that is not the chat service is refused before any load', async () => {
    const result = await run(['run', 'jp-emoji', '--target', await impostor(), '--out', tempDir()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/GAMEDAY_ERR_TARGET_NOT_READY: .*POST \/v1\/sessions answered 404/);
  });

  it('--engine k6 without k6 on PATH says how to get it, and starts nothing', async () => {
    const out = tempDir();
    const result = await run(['run', 'jp-emoji', '--engine', 'k6', '--out', out], { ...env(), PATH: tempDir() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('GAMEDAY_ERR_K6_NOT_FOUND: k6 was not found on PATH');
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('gameday run', () => {
  it('exits 99 when a gate fails: jp-emoji with naive utf16Length, a short run, and stops all it started', async () => {
    const out = tempDir();
    const result = await run(['run', 'jp-emoji', '--naive', 'utf16Length', '--scale', '1', '--duration', '6s', '--out', out]);
    expect(result.code, result.stderr).toBe(99);
    expect(result.stdout).toMatch(/^incident +profile +threshold +value +result$/m);
    expect(result.stdout).toMatch(/^jp-emoji +naive \(utf16Length\) +\S/m);
    expect(result.stdout).toMatch(/^(?:jp-emoji +naive \(utf16Length\))? +payload_check_failures count==0 +[1-9]\d* +FAIL$/m);
    expect(result.stderr).toContain('a gate failed (exit 99)');
    const summary = JSON.parse(readFileSync(join(out, 'jp-emoji-naive', 'summary.json'), 'utf8')) as {
      metrics: Record<string, { thresholds?: Record<string, { ok: boolean }> }>; gameday: { naive: string[]; audit: { sessions: number } };
    };
    expect(summary.metrics.payload_check_failures?.thresholds).toEqual({ 'count==0': { ok: false } });
    expect(summary.gameday.naive).toEqual(['utf16Length']);
    expect(summary.gameday.audit.sessions).toBeGreaterThan(0);
    expect(result.stderr).toMatch(/started the fleet: hardened \+ naive utf16Length/);
    expect(processesUsing(out)).toEqual([]);
  }, 180_000);
});

describe('gameday run --target (a deployment it did not start)', () => {
  let stack: RunStack | null = null;
  beforeAll(async () => {
    stack = await startRunStack({ dir: join(tempDir(), 'stack'), seed: 1, childEnv: inheritedEnv });
    await stack.prepare({ timeScale: 0.5 }, { profile: 'hardened', naive: [] });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('refuses an incident with faults against a target before any load, naming the ones that run there', async () => {
    const out = tempDir();
    const target = stack?.endpoints.service?.http as string;
    const result = await run(['run', 'task-kill', '--target', target, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('GAMEDAY_ERR_FAULTS_NEED_STACK: task-kill injects faults (task-kill) into the stack gameday starts');
    expect(result.stderr).toContain('Against a --target run steady-1m-day, long-session, long-session-realtime, jp-emoji');
    expect(existsSync(join(out, 'task-kill-hardened'))).toBe(false);
  });

  it('with --skip-faults: checks the target, sends the load, injects no fault and reports the audit\'s thresholds as not evaluated', async () => {
    const out = tempDir();
    const target = stack?.endpoints.service?.http as string;
    const result = await run(['run', 'task-kill', '--target', target, '--skip-faults', '--scale', '1', '--duration', '3s', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`checking the target ${target}`);
    expect(result.stderr).toMatch(/NOTE: --skip-faults: the timeline's faults \(task-kill\) not injected; the gate judges the load alone/);
    expect(result.stdout).toMatch(/^task-kill +hardened +\S/m);
    expect(result.stdout).toMatch(/^(?:task-kill +hardened)? +session_context_lost count==0 +0 +pass$/m);
    expect(result.stdout).toMatch(/^ +session_turns_lost count==0 +- +not evaluated$/m);
    expect(result.stdout).toMatch(/^ +session_turns_duplicated count==0 +- +not evaluated$/m);
    expect(result.stdout).toContain('note: task-kill: not evaluated: a --target gives no access to its DynamoDB table, so the store cannot be audited');
    const summary = JSON.parse(readFileSync(join(out, 'task-kill-hardened', 'summary.json'), 'utf8')) as {
      gameday: { target: string; audit: { skipped: string }; faults: null; faultsSkipped: Array<{ fault: string }>; notEvaluated: Array<{ metric: string }> };
    };
    expect(summary.gameday).toMatchObject({ target, faults: null, audit: { skipped: expect.stringContaining('--target') } });
    expect(summary.gameday.faultsSkipped.map((step) => step.fault)).toEqual(['task-kill', 'task-kill']);
    expect(summary.gameday.notEvaluated.map((skipped) => skipped.metric)).toEqual(['session_turns_lost', 'session_turns_duplicated']);
  }, 120_000);
});
