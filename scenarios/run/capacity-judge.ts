/**
 * The judgement of `gameday capacity`, pure: a step (a plateau at one offered message rate) holds
 * or breaks on three gates over its windows past warm-up, and the steps give the bracket (the
 * highest step that held, the first that broke). A step whose generator was saturated measured
 * the generator, not the service: it is generator-bound and never the knee.
 */
import type { GeneratorHealth } from '../../engine/self-monitor.js';

/** The mission's SLO and the evidence rule (DESIGN.md), as a capacity step is judged on them. */
export const capacityGates = {
  /** p95 TTFT of every 10 s window past warm-up must stay under this (ms). */
  ttftP95Ms: 3_000,
  /** Errored turns over the step's judged windows must stay under this share. */
  errorRate: 0.01,
  /** Achieved messages over the judged windows must reach this share of what the plan offered. */
  achievedShare: 0.95,
} as const;

export type GateName = 'ttft' | 'errors' | 'achieved';

/** What one step measured over its judged windows (the windows wholly past warm-up and inside the hold). */
export interface StepMeasure {
  windowMs: number;
  /** Indexes of the judged windows, from the step's start. */
  judged: { first: number; last: number };
  /** Messages the plan offered and the run achieved over the judged windows. */
  offered: number;
  achieved: number;
  /** p95 TTFT of each judged window that had answers. */
  ttftWindows: Array<{ index: number; p95Ms: number; samples: number }>;
  /** Errored turns (hits) of all judged turns. */
  errors: { hits: number; total: number };
  generator: GeneratorHealth | null;
}

export interface GateResult {
  gate: GateName;
  /** Worst window p95 in ms, an error share, an achieved share; null when there was nothing to judge. */
  value: number | null;
  broke: boolean;
  /** When it broke, in ms from the step's start: the end of the window (ttft) or of the judged span. */
  brokeAtMs: number | null;
  /** For people: the value against its limit. */
  detail: string;
}

export type StepVerdict = 'held' | 'broke' | 'generator-bound';

export interface StepJudgement {
  verdict: StepVerdict;
  gates: GateResult[];
  /** The gate that broke first in time (ties: ttft, errors, achieved); null when none broke. */
  firstBroken: GateResult | null;
}

const percent = (share: number) => `${(share * 100).toFixed(2)} %`;

function ttftGate(measure: StepMeasure): GateResult {
  const windows = measure.ttftWindows.filter((window) => window.index >= measure.judged.first && window.index <= measure.judged.last);
  if (windows.length === 0) return { gate: 'ttft', value: null, broke: false, brokeAtMs: null, detail: 'no answer in the judged windows' };
  const worst = windows.reduce((a, b) => (b.p95Ms > a.p95Ms ? b : a));
  const first = windows.find((window) => window.p95Ms >= capacityGates.ttftP95Ms) ?? null;
  const span = (index: number) => `${(index * measure.windowMs) / 1000}–${((index + 1) * measure.windowMs) / 1000} s`;
  return {
    gate: 'ttft', value: worst.p95Ms, broke: first !== null,
    brokeAtMs: first ? (first.index + 1) * measure.windowMs : null,
    detail: `worst window p95 TTFT ${Math.round(worst.p95Ms)} ms (${span(worst.index)}, ${worst.samples} answers; limit < ${capacityGates.ttftP95Ms} ms in every window)`,
  };
}

function errorGate(measure: StepMeasure, endMs: number): GateResult {
  const { hits, total } = measure.errors;
  if (total === 0) return { gate: 'errors', value: null, broke: false, brokeAtMs: null, detail: 'no turn ended in the judged windows' };
  const rate = hits / total;
  const broke = rate >= capacityGates.errorRate;
  return {
    gate: 'errors', value: rate, broke, brokeAtMs: broke ? endMs : null,
    detail: `errors ${percent(rate)} (${hits} of ${total} turns; limit < ${percent(capacityGates.errorRate)} over the step)`,
  };
}

function achievedGate(measure: StepMeasure, endMs: number): GateResult {
  if (measure.offered === 0) return { gate: 'achieved', value: null, broke: false, brokeAtMs: null, detail: 'the plan offered nothing in the judged windows' };
  const share = measure.achieved / measure.offered;
  const broke = share < capacityGates.achievedShare;
  return {
    gate: 'achieved', value: share, broke, brokeAtMs: broke ? endMs : null,
    detail: `achieved ${measure.achieved} of ${measure.offered} offered messages (${percent(share)}; limit ≥ ${percent(capacityGates.achievedShare)})`,
  };
}

const gateOrder: readonly GateName[] = ['ttft', 'errors', 'achieved'];

/** One step against the gates; a saturated generator makes it generator-bound whatever the gates say. */
export function judgeStep(measure: StepMeasure): StepJudgement {
  const endMs = (measure.judged.last + 1) * measure.windowMs;
  const gates = [ttftGate(measure), errorGate(measure, endMs), achievedGate(measure, endMs)];
  const broken = gates.filter((gate) => gate.broke)
    .sort((a, b) => (a.brokeAtMs as number) - (b.brokeAtMs as number) || gateOrder.indexOf(a.gate) - gateOrder.indexOf(b.gate));
  const firstBroken = broken[0] ?? null;
  const verdict: StepVerdict = measure.generator?.saturated ? 'generator-bound' : firstBroken ? 'broke' : 'held';
  return { verdict, gates, firstBroken };
}

/** The offered rates of the steps: from, from + step, … up to max (inclusive). */
export function stepRates(from: number, step: number, max: number): number[] {
  if (!(from > 0) || !(step > 0) || !(max >= from)) throw new Error(`steps need from > 0, step > 0 and max ≥ from (got ${from}, ${step}, ${max})`);
  const rates: number[] = [];
  // Rounded to a thousandth, so 0.1 + 0.2 does not make a step of 0.30000000000000004 msg/s.
  for (let index = 0; ; index += 1) {
    const rate = Math.round((from + index * step) * 1_000) / 1_000;
    if (rate > max + 1e-9) return rates;
    rates.push(rate);
  }
}

/**
 * knee: a step held and the next broke. top-held: every step up to --max held (the knee is above
 * it). below-first: the first step already broke (the knee is below --from). generator-bound: the
 * generator saturated before any step broke, so the search stopped without a knee.
 */
export type CapacityOutcome = 'knee' | 'top-held' | 'below-first' | 'generator-bound';

export interface JudgedStep { rate: number; judgement: StepJudgement }

export interface Bracket {
  outcome: CapacityOutcome;
  /** The highest step that held every gate (AIPerf's feasible max); null when none did. */
  held: number | null;
  /** The first step that broke a gate (the infeasible min); null when none did. */
  broke: number | null;
  /** The step at which the generator saturated, when that ended the search. */
  generatorBound: number | null;
  /** The gate of the broken step that broke first. */
  gate: GateResult | null;
  /** The knee as compared across runs: the highest step held, 0 when none held. */
  kneeRate: number;
}

/** The bracket of the steps run so far, in order; the search stops at the first step that did not hold. */
export function bracketOf(steps: readonly JudgedStep[]): Bracket {
  const stop = steps.findIndex((step) => step.judgement.verdict !== 'held');
  const heldSteps = stop === -1 ? steps : steps.slice(0, stop);
  const held = heldSteps.at(-1)?.rate ?? null;
  const ended = stop === -1 ? null : (steps[stop] as JudgedStep);
  const base = { held, kneeRate: held ?? 0 };
  if (!ended) return { ...base, outcome: 'top-held', broke: null, generatorBound: null, gate: null };
  if (ended.judgement.verdict === 'generator-bound') return { ...base, outcome: 'generator-bound', broke: null, generatorBound: ended.rate, gate: null };
  return { ...base, outcome: held === null ? 'below-first' : 'knee', broke: ended.rate, generatorBound: null, gate: ended.judgement.firstBroken };
}

/**
 * The exit code, as the rest of the CLI: 0 a knee found or the top step held; 99 the first step
 * already broke the SLO gates (no knee at or above --from: start lower); 1 not evidence (the
 * generator saturated), which the caller reports as a harness error.
 */
export function capacityExitCode(bracket: Bracket): 0 | 1 | 99 {
  if (bracket.outcome === 'generator-bound') return 1;
  return bracket.outcome === 'below-first' ? 99 : 0;
}
