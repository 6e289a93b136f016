import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, type ExpectStatic, it, type TestContext } from 'vitest';
import type { FaultStep, Incident, IncidentId } from '../incident.js';
import { incidents } from '../index.js';
import { type IncidentOutcome, runIncident } from './run-incident.js';
import { type RunStack, startRunStack } from './run-stack.js';
import { inheritedEnv } from '../../test/config.js';

/**
 * Two quick runs one after another in a lane (a duration plus the sessions' tail each), with
 * restarts and the audit, and room for a hardened run taken again after a saturated generator.
 */
export const proofTimeoutMs = 420_000;

export type Variant = 'hardened' | 'naive';

export interface ProofLane {
  /** One quick-scale run of the incident on this lane's stack, after the runs queued before it. */
  run(incident: Incident, variant: Variant, context: TestContext, extraFaults?: FaultStep[], attempt?: number): Promise<IncidentOutcome>;
}

/** The hardened runs of a file go to one lane, the naive ones to the other; the lanes run side by side. */
export type ProofLanes = Record<Variant, ProofLane>;

export function incident(id: IncidentId): Incident {
  const found = incidents.get(id);
  if (!found) throw new Error(`no incident ${id}`);
  return found;
}

/**
 * Two embedded stacks for a test file (a lane each), started before its tests and stopped after
 * them, also when they fail. A lane runs one incident at a time and restarts only what the next
 * one changes; the two lanes share nothing but the machine, so their runs overlap.
 */
export function useProofLanes(): ProofLanes {
  let dir = '';
  let keep = false;
  const stacks: Partial<Record<Variant, RunStack>> = {};
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gameday-proof-'));
    const started = await Promise.allSettled((['hardened', 'naive'] as const).map(async (lane) => {
      stacks[lane] = await startRunStack({ dir: join(dir, `stack-${lane}`), seed: 1, childEnv: inheritedEnv });
    }));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }, 120_000);
  afterAll(async () => {
    await Promise.allSettled(Object.values(stacks).map((stack) => stack.stop()));
    // A failed proof keeps its run folders (summaries, journals, the stacks' logs) for whoever reads the failure.
    if (keep) process.stderr.write(`proof runs kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  const lane = (name: Variant): ProofLane => {
    let queue: Promise<unknown> = Promise.resolve();
    return {
      run(subject, variant, context, extraFaults, attempt = 1) {
        context.onTestFailed(() => { keep = true; });
        const run = queue.then(() => {
          const stack = stacks[name];
          if (!stack) throw new Error(`the ${name} proof stack did not start`);
          return runIncident({
            incident: subject,
            profile: variant,
            // The incident's own switch alone, so the proof shows that this bug, and no other, trips the gate.
            naive: variant === 'naive' && subject.naiveSwitch ? [subject.naiveSwitch] : undefined,
            scale: subject.proof?.scale ?? subject.quickScale,
            durationMs: subject.proof?.durationMs ?? subject.defaultDurationMs,
            seed: 1,
            engine: 'builtin',
            stack,
            extraFaults,
            outDir: join(dir, attempt === 1 ? `runs-${name}` : `runs-${name}-attempt-${attempt}`),
          });
        });
        queue = run.catch(() => undefined);
        return run;
      },
    };
  };
  return { hardened: lane('hardened'), naive: lane('naive') };
}

const failures = (outcome: IncidentOutcome) => outcome.thresholds.filter((result) => !result.ok);

/**
 * Hardened: every threshold of the gate was evaluated and held (but for latency at a time scale
 * too small to judge it, which a real-time lane judges), the store was audited, and the run is evidence.
 */
export function expectEveryGateHeld(expect: ExpectStatic, outcome: IncidentOutcome): void {
  expect(failures(outcome), `failed thresholds ${JSON.stringify(failures(outcome))}; see ${outcome.summaryPath}`).toEqual([]);
  expect(outcome.notEvaluated.filter((skipped) => skipped.timeScale === undefined)).toEqual([]);
  expect(outcome.evidence.reasons.filter((reason) => !/saturated/.test(reason)), `not evidence; see ${outcome.summaryPath}`).toEqual([]);
  expect(outcome.passed).toBe(true);
  expect(outcome.audit).not.toHaveProperty('skipped');
}

/** Each threshold of each named metric was evaluated and failed (not merely "something failed"). */
export function expectGateFailed(expect: ExpectStatic, outcome: IncidentOutcome, metrics: readonly string[]): void {
  expect(metrics.length).toBeGreaterThan(0);
  for (const metric of metrics) {
    const own = outcome.thresholds.filter((result) => result.metric === metric);
    expect(own.length, `no threshold on ${metric} was evaluated`).toBeGreaterThan(0);
    expect(own.filter((result) => result.ok), `${metric} held (${JSON.stringify(own)}); see ${outcome.summaryPath}`).toEqual([]);
  }
  expect(outcome.passed).toBe(false);
}

/**
 * The first proof of an incident: the hardened service holds its whole gate. A failed run whose
 * generator was saturated is, by the harness's own rule, not trustworthy: it is taken once more
 * (and says so), and the second run is judged.
 */
export function proveHardened(lanes: ProofLanes, id: IncidentId): void {
  it.concurrent(`${id}: the hardened service holds every gate`, async (context) => {
    let outcome = await lanes.hardened.run(incident(id), 'hardened', context);
    if (!outcome.passed && outcome.generator?.saturated) {
      process.stderr.write(`${id} (hardened) failed while ${outcome.generator.reason}; this machine is busy, so the run is taken once more\n`);
      outcome = await lanes.hardened.run(incident(id), 'hardened', context, undefined, 2);
    }
    expectEveryGateHeld(context.expect, outcome);
  }, proofTimeoutMs);
}

/** The second: the incident's naive switch alone fails each threshold of the gate that matters. */
export function proveNaive(lanes: ProofLanes, id: IncidentId): void {
  const subject = incident(id);
  it.concurrent(`${id}: naive ${subject.naiveSwitch} fails ${subject.gateThatMatters.join(' and ')}`, async (context) => {
    expectGateFailed(context.expect, await lanes.naive.run(subject, 'naive', context), subject.gateThatMatters);
  }, proofTimeoutMs);
}

/** Both proofs of each incident: the hardened runs in one lane, the naive ones beside them in the other. */
export function proveIncidents(lanes: ProofLanes, ids: readonly IncidentId[]): void {
  for (const id of ids) {
    proveHardened(lanes, id);
    proveNaive(lanes, id);
  }
}
