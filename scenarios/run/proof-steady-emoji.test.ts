import { describe, it } from 'vitest';
import { expectGateFailed, incident, proofTimeoutMs, proveHardened, proveNaive, useProofLanes } from './proof-test-kit.js';
import { latencyAboveSloFault } from '../steady-1m-day.js';

// The product's core promise, at each incident's quick scale on real stacks: hardened passes, the bug fails the gate.
const lanes = useProofLanes();

describe('the gates can fail: steady-1m-day and jp-emoji', () => {
  proveHardened(lanes, 'steady-1m-day');

  // steady-1m-day has no naive switch: its gate is the SLO itself, so the proof slows the model past it.
  it.concurrent('steady-1m-day: the model 4 s late to its first token (the bedrock fault) fails chat_ttft, and the fault is reverted', async (context) => {
    const steady = incident('steady-1m-day');
    const outcome = await lanes.naive.run(steady, 'hardened', context, [latencyAboveSloFault(steady.defaultDurationMs)]);
    expectGateFailed(context.expect, outcome, steady.gateThatMatters);
    context.expect(outcome.thresholds.find((result) => result.windowed)?.windowed?.failedWindows).toBeGreaterThan(0);
    context.expect(outcome.faults?.status).toBe('completed');
    context.expect(outcome.faults?.method.map((step) => [step.fault, step.outcome])).toEqual([[context.expect.stringContaining('bedrock'), 'succeeded']]);
  }, proofTimeoutMs);

  proveHardened(lanes, 'jp-emoji');
  proveNaive(lanes, 'jp-emoji');
});
