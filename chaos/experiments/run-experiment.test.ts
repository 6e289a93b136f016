import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startBedrockEmulator } from '../../stack/bedrock/server.js';
import { type RunningRedis, startRedis } from '../../stack/redis.js';
import { bedrockFault } from '../faults/bedrock.js';
import { testTargets } from '../faults/fault-test-kit.js';
import { networkFault } from '../faults/network.js';
import { redisEvictionFault } from '../faults/redis-eviction.js';
import type { Experiment, Probe } from './experiment.js';
import { journalExitCode } from './journal.js';
import { runExperiment } from './run-experiment.js';

let emulator: RunningEmulator;
let redis: RunningRedis;
let client: Redis;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gameday-experiment-'));
  [emulator, redis] = await Promise.all([startBedrockEmulator({ timeScale: 0.05 }), startRedis({ dir })]);
  client = new Redis(redis.url, { maxRetriesPerRequest: 0 });
});
afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

const targets = () => testTargets({ bedrockAdmin: emulator.adminUrl, redisUrl: redis.url, proxies: { carrier: { listen: '', upstream: '' } } });
const extraTtft = async () => ((await (await fetch(`${emulator.adminUrl}/faults`)).json()) as { extraTtftMs: number }).extraTtftMs;
const noBedrockFault: Probe = { name: 'bedrock has no extra latency', measure: extraTtft, tolerance: 0 };
const slowBedrock = () => bedrockFault.create({ 'extra-ttft': '3s' }, targets());

describe('runExperiment', () => {
  it('holds the hypothesis when the faults are reverted, and writes the journal it returns', async () => {
    const journalPath = join(dir, 'runs', 'journal.json');
    const during: number[] = [];
    const journal = await runExperiment({
      title: 'bedrock slowness is reverted',
      steadyState: { probes: [noBedrockFault, { name: 'emulator answers', measure: async () => (await fetch(`${emulator.adminUrl}/health`)).ok, tolerance: true }] },
      method: [{ name: 'slow first token', atMs: 50, durationMs: 300, fault: slowBedrock() }],
      rollbacks: [{ name: 'note the latency while held', run: async () => { during.push(await extraTtft()); } }],
    }, { journalPath });
    expect(journal).toMatchObject({ status: 'completed', deviated: false, error: null });
    expect(journal.steadyStateBefore?.met).toBe(true);
    expect(journal.steadyStateAfter?.probes.map((probe) => [probe.value, probe.within])).toEqual([[0, true], [true, true]]);
    expect(journal.method[0]).toMatchObject({ outcome: 'succeeded', applied: { extraTtftMs: 3000 }, reverted: { restored: true } });
    expect(Date.parse(journal.method[0]?.end ?? '') - Date.parse(journal.method[0]?.start ?? '')).toBeGreaterThanOrEqual(290);
    expect(journal.rollbacks).toMatchObject([{ name: 'note the latency while held', outcome: 'succeeded' }]);
    expect(during).toEqual([0]);
    expect(JSON.parse(readFileSync(journalPath, 'utf8'))).toEqual(journal);
    expect(journalExitCode(journal)).toBe(0);
  });

  it('marks the run deviated when the steady state does not hold after the method (evicted sessions)', async () => {
    for (let i = 0; i < 100; i += 1) await client.set(`session:${i}`, 'x'.repeat(2000));
    const sessionsKept: Probe = { name: 'every session is still cached', measure: async () => (await client.keys('session:*')).length, tolerance: { min: 100 } };
    const journal = await runExperiment({
      title: 'flash sale memory pressure',
      steadyState: { probes: [sessionsKept] },
      method: [{ name: 'evict', atMs: 0, durationMs: 100, fault: redisEvictionFault.create({ maxmemory: '2mb', 'value-size': '8kb' }, targets()) }],
      rollbacks: [{ name: 'forget the sessions', run: () => client.flushall() }],
    });
    expect(journal).toMatchObject({ status: 'completed', deviated: true });
    expect(journal.steadyStateAfter?.probes[0]?.within).toBe(false);
    expect(journal.steadyStateAfter?.probes[0]?.value as number).toBeLessThan(100);
    expect(journal.method[0]?.reverted).toMatchObject({ policy: 'volatile-lru', maxmemory: 256 * 1024 * 1024 });
    expect(((await client.config('GET', 'maxmemory')) as string[])[1]).toBe(String(256 * 1024 * 1024));
    expect(journalExitCode(journal)).toBe(99);
  });

  it('when a step throws: reverts the other faults at once, skips the rest, and still runs the rollbacks', async () => {
    const rolledBack: string[] = [];
    const brokenNetwork = networkFault.create({ type: 'latency' }, targets());
    const experiment: Experiment = {
      title: 'a step that cannot apply',
      steadyState: { probes: [noBedrockFault] },
      method: [
        { name: 'slow bedrock', atMs: 0, durationMs: 30_000, fault: slowBedrock() },
        { name: 'unreachable toxiproxy', atMs: 150, durationMs: 1_000, fault: brokenNetwork },
        { name: 'never reached', atMs: 20_000, durationMs: 1_000, fault: slowBedrock() },
      ],
      rollbacks: [
        { name: 'first', run: async () => { rolledBack.push('first'); } },
        { name: 'second', run: async () => { rolledBack.push('second'); throw new Error('rollback broke'); } },
        { name: 'third', run: async () => { rolledBack.push('third'); } },
      ],
    };
    const started = performance.now();
    const journal = await runExperiment(experiment);
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(journal.status).toBe('failed');
    expect(journal.method.map((step) => step.outcome)).toEqual(['aborted', 'failed', 'aborted']);
    expect(journal.method[1]?.error).toContain('127.0.0.1:9');
    expect(journal.method[0]?.reverted).toMatchObject({ restored: true });
    expect(await extraTtft()).toBe(0);
    expect(rolledBack).toEqual(['first', 'second', 'third']);
    expect(journal.rollbacks.map((rollback) => rollback.outcome)).toEqual(['succeeded', 'failed', 'succeeded']);
    expect(journal.error).toContain('method step "unreachable toxiproxy" failed');
    expect(journal.error).toContain('rollback "second" failed: rollback broke');
    expect(journalExitCode(journal)).toBe(1);
  });

  it('on abort reverts everything, skips the after probes, runs the rollbacks, and says aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    let rollbacks = 0;
    const journal = await runExperiment({
      title: 'interrupted',
      steadyState: { probes: [noBedrockFault] },
      method: [{ name: 'slow bedrock', atMs: 0, durationMs: 30_000, fault: slowBedrock() }],
      rollbacks: [{ name: 'count', run: async () => { rollbacks += 1; } }],
    }, { signal: controller.signal });
    expect(journal).toMatchObject({ status: 'aborted', deviated: false, steadyStateAfter: null });
    expect(journal.method[0]?.outcome).toBe('aborted');
    expect(await extraTtft()).toBe(0);
    expect(rollbacks).toBe(1);
  });

  it('does not run the method when the steady state does not hold before it', async () => {
    const fault = slowBedrock();
    const journal = await runExperiment({
      title: 'broken from the start',
      steadyState: { probes: [{ name: 'throws', measure: () => Promise.reject(new Error('probe down')), tolerance: true }] },
      method: [{ name: 'slow bedrock', atMs: 0, durationMs: 100, fault }],
      rollbacks: [],
    }, { now: () => new Date('2026-01-01T00:00:00Z') });
    expect(journal).toMatchObject({ status: 'failed', deviated: false, method: [], steadyStateAfter: null, start: '2026-01-01T00:00:00.000Z' });
    expect(journal.steadyStateBefore?.probes[0]).toMatchObject({ outcome: 'failed', error: 'probe down', within: false, value: null });
    expect(await fault.revert()).toEqual({ applied: false });
  });
});
