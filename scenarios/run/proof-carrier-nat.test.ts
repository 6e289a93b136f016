import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { incident, proofTimeoutMs, proveIncidents, useProofLanes } from './proof-test-kit.js';
import type { MetricsSnapshot } from '../../engine/metrics/snapshot.js';
import { evaluateThresholds } from '../../engine/thresholds.js';

// The product's core promise, at each incident's quick scale on real stacks: hardened passes, the bug fails the gate.
const lanes = useProofLanes();

describe('the gates can fail: carrier-nat', () => {
  proveIncidents(lanes, ['carrier-nat']);

  // carrier-nat runs the model 2x faster (time-scale 0.5). The bedrock fault's extra TTFT is a
  // real duration on the emulator's clock, not scaled: 1.25 s added to the compressed first token
  // (p95 about 0.5 s: 1 s real) measures about 1.75 s at p95, which is 3.5 s at the model's
  // real speed. The gate judged at the time scale (p(95) < 3000 x 0.5 = 1500 ms) fails; judged
  // as written it would pass.
  it.concurrent('carrier-nat: a first token that means 3.5 s of real time fails the TTFT gate judged at time-scale 0.5, where the unscaled gate passed', async (context) => {
    const nat = incident('carrier-nat');
    const slow = { atMs: 0, durationMs: nat.defaultDurationMs + 90_000, fault: 'bedrock', options: { 'extra-ttft': '1250ms' } };
    const outcome = await lanes.naive.run(nat, 'hardened', context, [slow]);
    const ttft = outcome.thresholds.find((result) => result.metric === 'chat_ttft');
    context.expect(ttft).toMatchObject({ expression: 'p(95)<1500', ok: false, realTime: { real: 'p(95)<3000', judged: 'p(95)<1500', timeScale: 0.5 } });
    context.expect(ttft?.observed).toBeGreaterThan(1500);
    context.expect(ttft?.observed).toBeLessThan(3000);
    const summary = JSON.parse(readFileSync(outcome.summaryPath, 'utf8')) as { gameday: { snapshot: MetricsSnapshot } };
    const [unscaled] = evaluateThresholds(summary.gameday.snapshot, { chat_ttft: ['p(95)<3000'] });
    context.expect(unscaled?.ok).toBe(true);
  }, proofTimeoutMs);
});
