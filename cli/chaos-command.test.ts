import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startToxiproxyServer } from '../chaos/proxy/server.js';
import { type RunningEmulator, startBedrockEmulator } from '../stack/bedrock/server.js';
import { type StackEndpoints, writeStackState } from '../stack/stack-state.js';
import { inheritedEnv } from '../test/config.js';
import { runCli, startCli } from '../test/run-cli.js';

const dirs: string[] = [];
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startBedrockEmulator({ timeScale: 0.05 });
});
afterAll(async () => {
  await emulator?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-chaos-cli-'));
  dirs.push(dir);
  return dir;
}

/**
 * A state file as `stack up` writes it, for a "stack" made of what this test started: the
 * test process stands in for the supervisor (it is alive), the emulator is real.
 */
function fakeStack(endpoints: Partial<StackEndpoints> = {}): NodeJS.ProcessEnv {
  const dir = stateDir();
  writeStackState(dir, {
    version: 1,
    supervisorPid: process.pid,
    processGroup: null,
    foreground: false,
    startedAt: new Date().toISOString(),
    endpoints: {
      redis: { url: 'redis://127.0.0.1:9', maxmemory: '256mb', maxmemoryPolicy: 'volatile-lru' },
      dynamodb: { endpoint: 'http://127.0.0.1:9', table: 'sessions', region: 'us-east-1' },
      bedrock: { endpoint: emulator.url, admin: emulator.adminUrl },
      ...endpoints,
    },
    processes: [],
  });
  return { ...inheritedEnv, GAMEDAY_STATE_DIR: dir };
}

const faults = async (adminUrl = emulator.adminUrl) =>
  (await fetch(`${adminUrl}/faults`)).json() as Promise<{ extraTtftMs: number; throttleRate: number }>;

describe('gameday chaos', () => {
  it('list shows every fault on one line and its options with defaults', async () => {
    const result = await runCli(['chaos', 'list'], { ...inheritedEnv, GAMEDAY_STATE_DIR: stateDir() });
    expect(result.code).toBe(0);
    for (const fault of ['network', 'nat-drop', 'dynamodb-slow', 'task-kill', 'redis-eviction', 'bedrock']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${fault} +\\S`, 'm'));
    }
    expect(result.stdout).toMatch(/--idle <duration> +how long .* \(default 30s\)/);
    expect(result.stdout).toMatch(/--approximate \| --no-approximate/);
    expect(result.stdout).toMatch(/--signal SIGKILL\|SIGTERM/);
  });

  it('refuses clearly: no running stack, an unknown fault, a part the stack lacks, a bad or unknown option', async () => {
    const empty = { ...inheritedEnv, GAMEDAY_STATE_DIR: stateDir() };
    const env = fakeStack();
    const [noStack, unknown, noService, noProxy, badValue, badFlag] = await Promise.all([
      runCli(['chaos', 'bedrock', '--extra-ttft', '1s'], empty),
      runCli(['chaos', 'meteor'], env),
      runCli(['chaos', 'task-kill'], env),
      runCli(['chaos', 'nat-drop'], env),
      runCli(['chaos', 'bedrock', '--throttle-rate', '2'], env),
      runCli(['chaos', 'bedrock', '--bogus', '1'], env),
    ]);
    expect(noStack).toMatchObject({ code: 1 });
    expect(noStack.stderr).toContain('GAMEDAY_ERR_STACK_NOT_RUNNING');
    expect(unknown.stderr).toMatch(/GAMEDAY_ERR_UNKNOWN_FAULT: unknown fault "meteor"; the faults are network, nat-drop/);
    expect(noService.stderr).toContain('GAMEDAY_ERR_NO_SERVICE');
    expect(noProxy.stderr).toContain('GAMEDAY_ERR_NO_TOXIPROXY');
    expect(badValue.stderr).toMatch(/GAMEDAY_ERR_USAGE: --throttle-rate: bedrock: option "throttle-rate" must be from 0 to 1, not 2/);
    expect(badFlag.stderr).toMatch(/GAMEDAY_ERR_USAGE: .*--bogus/);
    for (const result of [unknown, noService, noProxy, badValue, badFlag]) expect(result.code).toBe(1);
    expect((await faults()).throttleRate).toBe(0);
  }, 60_000);

  it('applies a fault for --duration, reverts it, and prints the observations as JSON', async () => {
    const result = await runCli(['chaos', 'bedrock', '--extra-ttft', '700ms', '--duration', '300ms', '--json'], fakeStack());
    expect(result.stderr).not.toContain('GAMEDAY_ERR');
    expect(result.code).toBe(0);
    const run = JSON.parse(result.stdout) as { fault: string; applied: Record<string, unknown>; reverted: Record<string, unknown>; aborted: boolean };
    expect(run).toMatchObject({ fault: 'bedrock', aborted: false, applied: { extraTtftMs: 700 }, reverted: { restored: true, extraTtftMs: 0 } });
    expect(result.stderr).toContain('reverting (duration over)');
    expect((await faults()).extraTtftMs).toBe(0);
  });

  it('Ctrl-C reverts at once and exits 0', async () => {
    const { child, result } = startCli(['chaos', 'bedrock', '--extra-ttft', '1s', '--duration', '10m'], fakeStack());
    let applied = false;
    child.stdout?.on('data', () => undefined);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the fault was not applied in time')), 30_000);
      child.stderr?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('Ctrl-C reverts now')) {
          applied = true;
          clearTimeout(timer);
          resolve();
        }
      });
    }).finally(() => { if (!applied) child.kill('SIGKILL'); });
    expect((await faults()).extraTtftMs).toBe(1000);
    child.kill('SIGINT');
    const ended = await result;
    expect(ended.code).toBe(0);
    expect(ended.stdout).toContain('applied:');
    expect(ended.stdout).toMatch(/done: held .* \(interrupted\), reverted/);
    expect((await faults()).extraTtftMs).toBe(0);
  });

  it('a failed revert is loud and exits 1', async () => {
    const doomed = await startBedrockEmulator({ timeScale: 0.05 });
    const { child, result } = startCli(['chaos', 'bedrock', '--latency-factor', '4', '--duration', '10m'],
      fakeStack({ bedrock: { endpoint: doomed.url, admin: doomed.adminUrl } }));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the fault was not applied in time')), 30_000);
        child.stderr?.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('Ctrl-C reverts now')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    } finally {
      await doomed.close();
      child.kill('SIGINT');
    }
    const ended = await result;
    expect(ended.code).toBe(1);
    expect(ended.stderr).toContain('REVERT FAILED: bedrock latencyFactor=4');
    expect(ended.stderr).toContain(`still broken: the Bedrock emulator at ${doomed.adminUrl}`);
    expect(ended.stderr).toContain('GAMEDAY_ERR_FAULT_REVERT_FAILED');
  });

  it('says so when it approximates nat_idle the way it must on a real Toxiproxy', async () => {
    const toxiproxy = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
    try {
      const carrier = await new Toxiproxy(toxiproxy.url).createProxy({ name: 'carrier', listen: '127.0.0.1:0', upstream: '127.0.0.1:9' });
      const proxies = Object.fromEntries(['carrier', 'redis', 'dynamodb', 'bedrock'].map((name) => [name, { listen: carrier.listen, upstream: '127.0.0.1:9' }]));
      const env = fakeStack({ toxiproxy: { api: toxiproxy.url, external: false, proxies: proxies as NonNullable<StackEndpoints['toxiproxy']>['proxies'] } });
      const result = await runCli(['chaos', 'nat-drop', '--approximate', '--idle', '200ms', '--window', '50ms', '--duration', '700ms'], env);
      expect(result.stderr).not.toContain('GAMEDAY_ERR');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('applying: nat-drop carrier nat_idle idle_ms=200 mode=blackhole (approximated)');
      expect(result.stdout).toContain('NOTE: approximated: real Toxiproxy has no nat_idle');
      expect(result.stdout).toMatch(/cuts +[1-9]/);
      expect(await (await fetch(`${toxiproxy.url}/proxies/carrier/toxics`)).json()).toEqual([]);
    } finally {
      await toxiproxy.stop();
    }
  });
});
