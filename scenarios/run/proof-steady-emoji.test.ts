import { describe, it } from 'vitest';
import { expectGateFailed, incident, proofTimeoutMs, proveHardened, proveNaive, useProofLanes } from './proof-test-kit.js';
import { latencyAboveSloFault } from '../steady-1m-day.js';
import type { Incident } from '../incident.js';

// The product's core promise, at each incident's quick scale on real stacks: hardened passes, the bug fails the gate.
const lanes = useProofLanes();

describe('the gates can fail: steady-1m-day and jp-emoji', () => {
  proveHardened(lanes, 'steady-1m-day');

  // steady-1m-day has no naive switch: its gate is the SLO itself, so the proof slows the model past it.
  it.concurrent('steady-1m-day: the model 4 s late to its first token (the bedrock fault) fails chat_ttft, and the fault is reverted', async (context) => {
    const steady = incident('steady-1m-day');
    const outcome = await lanes.naive.run(steady, 'hardened', context, [latencyAboveSloFault(steady.proof?.durationMs ?? steady.defaultDurationMs)]);
    expectGateFailed(context.expect, outcome, steady.gateThatMatters);
    context.expect(outcome.thresholds.find((result) => result.windowed)?.windowed?.failedWindows).toBeGreaterThan(0);
    context.expect(outcome.faults?.status).toBe('completed');
    context.expect(outcome.faults?.method.map((step) => [step.fault, step.outcome])).toEqual([[context.expect.stringContaining('bedrock'), 'succeeded']]);
  }, proofTimeoutMs);

  // A generator that cannot offer its plan: one session at a time where the plateau schedules
  // about four, so arrivals are dropped (k6's dropped_iterations) and the plateau falls far short.
  it.concurrent('steady-1m-day: a plateau that achieved under 95 % of what it offered is not evidence, whatever its gates said', async (context) => {
    const steady = incident('steady-1m-day');
    const starved: Incident = { ...steady, load: (scale, durationMs, shape) => ({ ...steady.load(scale, durationMs, shape), maxConcurrentSessions: 1 }), proof: { ...steady.proof, durationMs: 30_000 } };
    const outcome = await lanes.hardened.run(starved, 'hardened', context);
    context.expect(outcome.offered?.plateau).toMatchObject({ firstWindow: 3, lastWindow: 3 });
    context.expect(outcome.offered!.plateauAchieved / outcome.offered!.plateauOffered).toBeLessThan(0.95);
    context.expect(outcome.evidence.ok).toBe(false);
    context.expect(outcome.evidence.reasons[0]).toMatch(/^the plateau achieved \d+ of the \d+ messages offered \(\d+\.\d %, under 95\.0 %\): the load it claims was not offered$/);
  }, proofTimeoutMs);

  proveHardened(lanes, 'jp-emoji');
  proveNaive(lanes, 'jp-emoji');
});
