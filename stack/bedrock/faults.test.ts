import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.js';
import { AdminInputError } from './admin-input.js';
import { decideFaults, type FaultSettings, mergeFaults, noFaults } from './faults.js';
import { findModel, modelIds } from './models.js';

const sonnet = findModel(modelIds.sonnet)!;
const haiku = findModel(modelIds.haiku)!;

function problem(patch: unknown): string {
  try {
    mergeFaults(noFaults, patch);
  } catch (error) {
    if (error instanceof AdminInputError) return error.message;
    throw error;
  }
  throw new Error('the patch was accepted');
}

describe('mergeFaults', () => {
  it('merges a patch into the current faults and leaves the other fields alone', () => {
    const first = mergeFaults(noFaults, { extraTtftMs: 500, errorRate: 0.1, errorType: 'ServiceUnavailableException' });
    const second = mergeFaults(first, { latencyFactor: 2, midStreamError: { afterChunks: 3, type: 'throttlingException' } });
    expect(second).toEqual({
      ...noFaults, extraTtftMs: 500, errorRate: 0.1, errorType: 'ServiceUnavailableException', latencyFactor: 2,
      midStreamError: { afterChunks: 3, type: 'ThrottlingException' },
    });
    expect(mergeFaults(second, { midStreamError: null }).midStreamError).toBeNull();
  });

  it('takes a mid-stream pause after some chunks, and clears it with null', () => {
    const paused = mergeFaults(noFaults, { midStreamPause: { afterChunks: 2, ms: 1_500 } });
    expect(paused.midStreamPause).toEqual({ afterChunks: 2, ms: 1_500 });
    expect(mergeFaults(noFaults, { midStreamPause: { ms: 10 } }).midStreamPause).toEqual({ afterChunks: 0, ms: 10 });
    expect(mergeFaults(paused, { midStreamPause: null }).midStreamPause).toBeNull();
  });

  it.each([
    [{ errorRate: 1.5 }, '"errorRate" must be a number at least 0 and at most 1 (got 1.5)'],
    [{ latencyFactor: 0 }, '"latencyFactor" must be a number greater than 0'],
    [{ extraTtftMs: '100' }, '"extraTtftMs" must be a number'],
    [{ errorType: 'Boom' }, '"errorType" must be one of'],
    [{ midStreamError: { afterChunks: 1, type: 'AccessDeniedException' } }, '"midStreamError.type" must be one of'],
    [{ midStreamError: { afterChunks: -1 } }, '"midStreamError.afterChunks" must be an integer'],
    [{ midStreamPause: { afterChunks: 1 } }, '"midStreamPause.ms" must be a number at least 0 and at most 600000 (got nothing)'],
    [{ midStreamPause: { afterChunks: 1.5, ms: 100 } }, '"midStreamPause.afterChunks" must be an integer'],
    [{ midStreamPause: { ms: 100, seconds: 1 } }, 'unknown field "midStreamPause.seconds"'],
    [{ midStreamPause: 100 }, '"midStreamPause" must be a JSON object'],
    [{ models: ['opus'] }, '"models[0]" is neither a model family'],
    [{ errorrate: 0.5 }, 'unknown field "errorrate"'],
    [[1], 'the faults body must be a JSON object'],
  ])('names the bad field: %j', (patch, message) => {
    expect(problem(patch)).toContain(message);
  });
});

function decisions(settings: FaultSettings, count: number) {
  const random = seededRandom(42);
  return Array.from({ length: count }, () => decideFaults(settings, sonnet, random));
}

describe('decideFaults', () => {
  it('fails about errorRate of the requests with errorType, and throttles throttleRate of them', () => {
    const settings = mergeFaults(noFaults, { errorRate: 0.3, errorType: 'ModelTimeoutException' });
    const failed = decisions(settings, 2_000).filter((decision) => decision.error?.type === 'ModelTimeoutException');
    expect(failed.length).toBeGreaterThan(480);
    expect(failed.length).toBeLessThan(720);
    expect(failed[0]?.error?.status).toBe(408);
    const throttled = decisions(mergeFaults(noFaults, { throttleRate: 1 }), 10);
    expect(throttled.every((decision) => decision.error?.type === 'ThrottlingException')).toBe(true);
  });

  it('applies only to the listed models, by family or id', () => {
    const byFamily = mergeFaults(noFaults, { errorRate: 1, extraTtftMs: 50, models: ['haiku'] });
    expect(decideFaults(byFamily, sonnet, seededRandom(1))).toEqual({ extraTtftMs: 0, latencyFactor: 1 });
    expect(decideFaults(byFamily, haiku, seededRandom(1)).error).toBeDefined();
    const byProfileId = mergeFaults(noFaults, { errorRate: 1, models: [`us.${modelIds.sonnet}`] });
    expect(decideFaults(byProfileId, sonnet, seededRandom(1)).error).toBeDefined();
    const pauseOnSonnet = mergeFaults(noFaults, { midStreamPause: { afterChunks: 3, ms: 800 }, models: ['sonnet'] });
    expect(decideFaults(pauseOnSonnet, sonnet, seededRandom(1)).midStreamPause).toEqual({ afterChunks: 3, ms: 800 });
    expect(decideFaults(pauseOnSonnet, haiku, seededRandom(1)).midStreamPause).toBeUndefined();
  });

  it('takes the same draws whatever is switched on, so other randomness does not shift', () => {
    const quiet = seededRandom(7);
    const noisy = seededRandom(7);
    decideFaults(noFaults, sonnet, quiet);
    decideFaults(mergeFaults(noFaults, { errorRate: 1, throttleRate: 0.5 }), sonnet, noisy);
    expect(quiet()).toBe(noisy());
  });
});
