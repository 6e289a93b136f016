import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startBedrockEmulator } from '../../stack/bedrock/server.js';
import { bedrockFault } from './bedrock.js';
import { FaultRevertError } from './fault.js';
import { testTargets } from './fault-test-kit.js';
import { networkFault } from './network.js';
import { type FaultEvent, runFaultFor } from './run-fault.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startBedrockEmulator({ timeScale: 0.05 });
});
afterAll(async () => {
  await emulator?.close();
});

const faults = async () => (await fetch(`${emulator.adminUrl}/faults`)).json() as Promise<Record<string, unknown>>;
const slowBedrock = () => bedrockFault.create({ 'extra-ttft': '2s' }, testTargets({ bedrockAdmin: emulator.adminUrl }));

describe('runFaultFor', () => {
  it('holds the fault for its duration with progress events, then reverts it', async () => {
    const events: FaultEvent[] = [];
    let duringHold: Record<string, unknown> = {};
    const run = await runFaultFor(slowBedrock(), {
      durationMs: 400,
      progressEveryMs: 100,
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'holding' && !duringHold.extraTtftMs) void faults().then((now) => { duringHold = now; });
      },
    });
    expect(run).toMatchObject({ aborted: false, applied: { extraTtftMs: 2000 }, reverted: { restored: true, extraTtftMs: 0 } });
    expect(run.heldMs).toBeGreaterThanOrEqual(390);
    expect(duringHold.extraTtftMs).toBe(2000);
    expect((await faults()).extraTtftMs).toBe(0);
    expect(events.map((event) => event.type).filter((type, index, all) => all.indexOf(type) === index))
      .toEqual(['applying', 'applied', 'holding', 'reverting', 'reverted']);
    expect(events.find((event) => event.type === 'reverting')).toEqual({ type: 'reverting', reason: 'elapsed' });
  });

  it('reverts at once when the signal aborts (Ctrl-C)', async () => {
    const controller = new AbortController();
    const run = await runFaultFor(slowBedrock(), {
      durationMs: 60_000,
      signal: controller.signal,
      onEvent: (event) => { if (event.type === 'applied') setTimeout(() => controller.abort(), 50); },
    });
    expect(run.aborted).toBe(true);
    expect(run.heldMs).toBeLessThan(10_000);
    expect((await faults()).extraTtftMs).toBe(0);
  });

  it('reverts after a failed apply and rethrows its error', async () => {
    const events: FaultEvent[] = [];
    const fault = bedrockFault.create({ 'extra-ttft': '1s', 'error-type': 'NoSuchException' }, testTargets({ bedrockAdmin: emulator.adminUrl }));
    await expect(runFaultFor(fault, { durationMs: 10_000, onEvent: (event) => events.push(event) })).rejects.toThrow('"errorType"');
    expect(events.map((event) => event.type)).toEqual(['applying', 'apply-failed', 'reverting', 'reverted']);
    expect((await faults()).extraTtftMs).toBe(0);
  });

  it('gives up an apply that hangs, and a revert stuck behind it is a FaultRevertError', async () => {
    // A "Toxiproxy" that accepts connections and never answers.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => { sockets.push(socket); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const fault = networkFault.create({ type: 'latency', attributes: 'latency=100' },
        testTargets({ toxiproxyApi: `http://127.0.0.1:${port}`, proxies: { carrier: { listen: '', upstream: '' } } }));
      const events: FaultEvent[] = [];
      const started = performance.now();
      const error = await runFaultFor(fault, { durationMs: 10_000, applyTimeoutMs: 300, revertTimeoutMs: 500, onEvent: (event) => events.push(event) })
        .then(() => null, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(FaultRevertError);
      expect((error as Error).message).toContain('did not finish within');
      expect(performance.now() - started).toBeLessThan(5_000);
      const failed = events.find((event) => event.type === 'apply-failed');
      expect(failed && failed.type === 'apply-failed' && failed.error.message).toContain('took longer than 300 ms');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
