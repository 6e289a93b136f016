import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startBedrockEmulator } from '../../stack/bedrock/server.js';
import { bedrockFault } from './bedrock.js';
import { FaultRevertError } from './fault.js';
import { testTargets } from './fault-test-kit.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startBedrockEmulator({ timeScale: 0.05 });
});
afterAll(async () => {
  await emulator?.close();
});

async function admin(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${emulator.adminUrl}${path}`, {
    method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return response.json() as Promise<Record<string, unknown>>;
}

describe('the bedrock fault', () => {
  it('switches the emulator\'s faults and quotas, and revert puts back exactly what was there before', async () => {
    await admin('PUT', '/faults', { errorRate: 0.25, models: ['sonnet'] });
    await admin('PUT', '/quotas', { haiku: { requestsPerMinute: 500 } });
    const faultsBefore = await admin('GET', '/faults');
    const quotasBefore = await admin('GET', '/quotas');

    const fault = bedrockFault.create({
      'extra-ttft': '1500ms', 'throttle-rate': '0.5', 'mid-stream-error': 'ModelStreamErrorException', 'mid-stream-after': 2,
      'requests-per-minute': 7, 'quota-models': 'sonnet',
    }, testTargets({ bedrockAdmin: emulator.adminUrl }));
    expect(fault.description).toContain('extraTtftMs=1500');
    const applied = await fault.apply(new AbortController().signal);
    expect(applied).toMatchObject({ extraTtftMs: 1500, throttleRate: 0.5, errorRate: 0.25, 'midStreamError.afterChunks': 2, 'quotas.sonnet.requestsPerMinute': 7 });
    expect(await admin('GET', '/faults')).toMatchObject({ extraTtftMs: 1500, throttleRate: 0.5, errorRate: 0.25, models: ['sonnet'] });
    expect((await admin('GET', '/quotas')).sonnet).toMatchObject({ requestsPerMinute: 7 });

    const reverted = await fault.revert();
    expect(reverted).toMatchObject({ restored: true, extraTtftMs: 0, errorRate: 0.25 });
    expect(await admin('GET', '/faults')).toEqual(faultsBefore);
    expect((await admin('GET', '/quotas')).sonnet).toEqual(quotasBefore.sonnet);
    expect((await admin('GET', '/quotas')).haiku).toEqual(quotasBefore.haiku);
    expect(await fault.revert()).toEqual(reverted);
    await admin('POST', '/reset');
  });

  it('sets a mid-stream pause for the listed models only', async () => {
    const fault = bedrockFault.create({ 'mid-stream-pause': '8s', 'mid-stream-pause-after': 3, models: 'sonnet' },
      testTargets({ bedrockAdmin: emulator.adminUrl }));
    expect(await fault.apply(new AbortController().signal)).toMatchObject({ 'midStreamPause.ms': 8_000, 'midStreamPause.afterChunks': 3, models: 'sonnet' });
    expect(await admin('GET', '/faults')).toMatchObject({ midStreamPause: { ms: 8_000, afterChunks: 3 }, models: ['sonnet'] });
    await fault.revert();
    expect(await admin('GET', '/faults')).toMatchObject({ midStreamPause: null, models: null });
  });

  it('fails its apply with the emulator\'s message for a value only the emulator checks, and still reverts', async () => {
    const fault = bedrockFault.create({ 'error-rate': 1, 'error-type': 'NoSuchException' }, testTargets({ bedrockAdmin: emulator.adminUrl }));
    await expect(fault.apply(new AbortController().signal)).rejects.toThrow('"errorType" must be one of');
    await expect(fault.revert()).resolves.toMatchObject({ restored: true });
    expect(await admin('GET', '/faults')).toMatchObject({ errorRate: 0 });
  });

  it('a revert that cannot reach the emulator throws FaultRevertError naming what is left', async () => {
    const doomed = await startBedrockEmulator({ timeScale: 0.05 });
    const fault = bedrockFault.create({ 'latency-factor': 3 }, testTargets({ bedrockAdmin: doomed.adminUrl }));
    try {
      await fault.apply(new AbortController().signal);
    } finally {
      await doomed.close();
    }
    const error = await fault.revert().then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(FaultRevertError);
    expect((error as FaultRevertError).message).toContain(doomed.adminUrl);
    expect((error as FaultRevertError).message).toContain('"latencyFactor":1');
  });
});
