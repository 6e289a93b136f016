import { describe, it } from 'vitest';
import { expectGateFailed, incident, proofTimeoutMs, proveHardened, useProofLanes } from './proof-test-kit.js';
import { type Incident, sessionsOf } from '../incident.js';
import type { SessionFactory } from '../../engine/session-plan.js';

// The product's core promise, at the incident's quick scale on real stacks: hardened passes, the bug fails the gate.
// A file of its own: at the model's real speed each run takes minutes, so it queues behind no other incident.
const lanes = useProofLanes();

/** The first turns of each session: enough for unbounded input to pass the bound (by the third turn). */
const firstTurns = (factory: SessionFactory, turns: number): SessionFactory => (index, random) => {
  const plan = factory(index, random);
  return { ...plan, turns: plan.turns.slice(0, turns) };
};

describe('the gates can fail: long-session-realtime', () => {
  proveHardened(lanes, 'long-session-realtime');

  // With the whole history in every call each turn is slower than the last (the model's prefill
  // grows with its input), so 20 naive turns take minutes; the bound is passed by the third.
  it.concurrent('long-session-realtime: naive fullHistory fails llm_input_tokens_per_turn within its sessions\' first 6 turns', async (context) => {
    const lane = incident('long-session-realtime');
    const short: Incident = { ...lane, session: firstTurns(lane.session, 6), sessionsFor: (shape) => firstTurns(sessionsOf(lane, shape), 6) };
    expectGateFailed(context.expect, await lanes.naive.run(short, 'naive', context), lane.gateThatMatters);
  }, proofTimeoutMs);
});
