import { hashString, normal, seededRandom } from '../random.js';
import type { ModelFamily } from './models.js';

/**
 * How long a model takes, per request, fitted to what the incident documents report (the
 * fit and its measured percentiles are in calibration.md). The seeds' numbers do not fit one
 * simple shape: short answers have a heavy tail (p95 6 s on a 2.7 s median), long ones sit
 * tight at 25-30 s. So three independent parts:
 * - time to first token: prefill grows linearly with input tokens, times lognormal jitter;
 * - decode: a per-request rate (lognormal, narrow) for every token after the first;
 * - a stall: now and then the stream pauses mid-answer for a Pareto-distributed while,
 *   which barely moves a 25 s answer but dominates the tail of a 3 s one.
 */
export interface LatencyPlan {
  /** Request received -> first text token sent. */
  ttftMs: number;
  /** Mean time between output tokens after the first (a stall is spread over them). */
  tokenIntervalMs: number;
  /** ttftMs + generation of all output tokens: ttftMs + (outputTokens - 1) * tokenIntervalMs. */
  totalMs: number;
}

export interface LatencyParameters {
  ttftBaseMs: number;
  prefillMsPerInputToken: number;
  /** Sigma of the lognormal factor on time to first token. */
  ttftSigma: number;
  decodeMsPerToken: number;
  /** Sigma of the lognormal per-request factor on the decode rate. */
  decodeSigma: number;
  stallProbability: number;
  /** Pareto scale: the shortest stall. */
  stallMinMs: number;
  /** Pareto shape: smaller is a heavier tail. */
  stallShape: number;
  /** Keeps one unlucky draw from producing a stall of hours. */
  stallMaxMs: number;
}

export const latencyParameters: Readonly<Record<ModelFamily, Readonly<LatencyParameters>>> = {
  sonnet: {
    ttftBaseMs: 450, prefillMsPerInputToken: 0.12, ttftSigma: 0.3,
    decodeMsPerToken: 6.0, decodeSigma: 0.01,
    stallProbability: 0.18, stallMinMs: 1_700, stallShape: 1.8, stallMaxMs: 20_000,
  },
  haiku: {
    ttftBaseMs: 120, prefillMsPerInputToken: 0.035, ttftSigma: 0.3,
    decodeMsPerToken: 1.8, decodeSigma: 0.02,
    stallProbability: 0.15, stallMinMs: 400, stallShape: 1.6, stallMaxMs: 6_000,
  },
};

/**
 * A seeded plan for one request. It always takes exactly six draws from random, whatever
 * the branch, so a replay with the same seed and request order gives the same plans.
 * timeScale multiplies every time (tests run a scaled-down world, e.g. 0.05).
 */
export function planLatency(family: ModelFamily, inputTokens: number, outputTokens: number,
  random: () => number, timeScale = 1): LatencyPlan {
  const model = latencyParameters[family];
  const ttftJitter = Math.exp(model.ttftSigma * normal(random));
  const decodeJitter = Math.exp(model.decodeSigma * normal(random));
  const stallDraw = random();
  const stallSize = Math.max(random(), Number.MIN_VALUE);

  const ttftMs = (model.ttftBaseMs + model.prefillMsPerInputToken * Math.max(0, inputTokens)) * ttftJitter;
  const gaps = Math.max(0, outputTokens - 1);
  if (gaps === 0) return scale({ ttftMs, tokenIntervalMs: 0, totalMs: ttftMs }, timeScale);
  const stallMs = stallDraw < model.stallProbability
    ? Math.min(model.stallMaxMs, model.stallMinMs * stallSize ** (-1 / model.stallShape))
    : 0;
  const tokenIntervalMs = model.decodeMsPerToken * decodeJitter + stallMs / gaps;
  return scale({ ttftMs, tokenIntervalMs, totalMs: ttftMs + gaps * tokenIntervalMs }, timeScale);
}

function scale(plan: LatencyPlan, timeScale: number): LatencyPlan {
  return {
    ttftMs: plan.ttftMs * timeScale,
    tokenIntervalMs: plan.tokenIntervalMs * timeScale,
    totalMs: plan.totalMs * timeScale,
  };
}

export interface LatencyStats { p50: number; p95: number; p99: number; mean: number }
export type LatencyMetric = 'ttft' | 'total';

/** A limit on one statistic of one row, in ms (min and max are inclusive). */
export interface LatencyBound { metric: LatencyMetric; statistic: keyof LatencyStats; min?: number; max?: number }

export interface CalibrationTarget {
  id: string;
  family: ModelFamily;
  /** Inputs are spread evenly over this range. */
  inputTokens: { min: number; max: number };
  outputTokens: number;
  /** The target as the seeds put it, for the table. */
  target: string;
  bounds: ReadonlyArray<LatencyBound>;
  /** p95 TTFT and p95 total must both be at most the other row's divided by factor. */
  fasterThan?: { id: string; factor: number };
}

export interface CalibrationRow {
  target: CalibrationTarget;
  ttft: LatencyStats;
  total: LatencyStats;
  /** Empty when every bound holds; otherwise one sentence per bound missed. */
  misses: string[];
}

const sonnetTargets: ReadonlyArray<CalibrationTarget> = [
  {
    id: 'sonnet-short', family: 'sonnet', inputTokens: { min: 2_000, max: 3_000 }, outputTokens: 300,
    target: 'end-to-end p95 about 6 s (5.5-6.5 s); seed 001 "Normal P95: 6s"',
    bounds: [{ metric: 'total', statistic: 'p95', min: 5_500, max: 6_500 }],
  },
  {
    id: 'sonnet-long', family: 'sonnet', inputTokens: { min: 8_000, max: 8_000 }, outputTokens: 4_000,
    target: 'end-to-end 25-30 s (p50 >= 25 s, p95 <= 30 s); seed 004',
    bounds: [{ metric: 'total', statistic: 'p50', min: 25_000 }, { metric: 'total', statistic: 'p95', max: 30_000 }],
  },
  {
    id: 'sonnet-ttft-3k', family: 'sonnet', inputTokens: { min: 3_000, max: 3_000 }, outputTokens: 300,
    target: 'TTFT p95 well under 3 s (<= 1.5 s)',
    bounds: [{ metric: 'ttft', statistic: 'p95', max: 1_500 }],
  },
  {
    id: 'sonnet-ttft-10k', family: 'sonnet', inputTokens: { min: 10_000, max: 10_000 }, outputTokens: 300,
    target: 'TTFT p95 < 3 s',
    bounds: [{ metric: 'ttft', statistic: 'p95', max: 3_000 }],
  },
  {
    id: 'sonnet-ttft-30k', family: 'sonnet', inputTokens: { min: 30_000, max: 40_000 }, outputTokens: 300,
    target: 'TTFT p95 > 3 s (the 60-turn incident shows)',
    bounds: [{ metric: 'ttft', statistic: 'p95', min: 3_000 }],
  },
];

export const calibrationTargets: ReadonlyArray<CalibrationTarget> = [
  ...sonnetTargets,
  ...sonnetTargets.map((row): CalibrationTarget => ({
    id: row.id.replace('sonnet', 'haiku'), family: 'haiku', inputTokens: row.inputTokens,
    outputTokens: row.outputTokens, target: `p95 TTFT and end-to-end at least 3x lower than ${row.id}`,
    bounds: [], fasterThan: { id: row.id, factor: 3 },
  })),
];

function statsOf(values: number[]): LatencyStats {
  const sorted = values.slice().sort((a, b) => a - b);
  const at = (quantile: number) => sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] ?? 0;
  const mean = sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), mean };
}

function sample(target: CalibrationTarget, seed: number, samples: number): Pick<CalibrationRow, 'ttft' | 'total'> {
  // Each row has its own stream, so adding or reordering rows leaves the others unchanged.
  const random = seededRandom(seed ^ hashString(target.id));
  const { min, max } = target.inputTokens;
  const ttft: number[] = [];
  const total: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const inputTokens = Math.round(min + (max - min) * ((i + 0.5) / samples));
    const plan = planLatency(target.family, inputTokens, target.outputTokens, random);
    ttft.push(plan.ttftMs);
    total.push(plan.totalMs);
  }
  return { ttft: statsOf(ttft), total: statsOf(total) };
}

function missesOf(target: CalibrationTarget, measured: Pick<CalibrationRow, 'ttft' | 'total'>,
  rows: ReadonlyArray<CalibrationRow>): string[] {
  const misses: string[] = [];
  for (const bound of target.bounds) {
    const value = measured[bound.metric][bound.statistic];
    const name = `${bound.metric} ${bound.statistic} ${Math.round(value)} ms`;
    if (bound.min !== undefined && value < bound.min) misses.push(`${name} is below ${bound.min} ms`);
    if (bound.max !== undefined && value > bound.max) misses.push(`${name} is above ${bound.max} ms`);
  }
  if (target.fasterThan) {
    const { id, factor } = target.fasterThan;
    const other = rows.find((row) => row.target.id === id);
    if (!other) return [...misses, `row ${id} to compare with is missing`];
    for (const metric of ['ttft', 'total'] as const) {
      const ratio = other[metric].p95 / measured[metric].p95;
      if (ratio < factor) misses.push(`${metric} p95 is only ${ratio.toFixed(2)}x lower than ${id}'s`);
    }
  }
  return misses;
}

/** Percentiles of `samples` seeded plans per target row, and which bounds they miss. */
export function measureCalibration(seed: number, samples: number): CalibrationRow[] {
  const rows: CalibrationRow[] = [];
  for (const target of calibrationTargets) {
    const measured = sample(target, seed, samples);
    rows.push({ target, ...measured, misses: missesOf(target, measured, rows) });
  }
  return rows;
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);

/** The measured table as Markdown, as calibration.md (and the README) show it. */
export function formatCalibrationTable(rows: ReadonlyArray<CalibrationRow>): string {
  const lines = [
    '| row | model | input tokens | output tokens | target | TTFT p50 | TTFT p95 | total p50 | total p95 | total p99 | total mean | met |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const { target, ttft, total, misses } of rows) {
    const { min, max } = target.inputTokens;
    const input = min === max ? `${min}` : `${min}-${max}`;
    lines.push(`| ${target.id} | ${target.family} | ${input} | ${target.outputTokens} | ${target.target} `
      + `| ${seconds(ttft.p50)} s | ${seconds(ttft.p95)} s | ${seconds(total.p50)} s | ${seconds(total.p95)} s `
      + `| ${seconds(total.p99)} s | ${seconds(total.mean)} s | ${misses.length === 0 ? 'yes' : `no: ${misses.join('; ')}`} |`);
  }
  return lines.join('\n');
}

/** The fitted parameters as Markdown. */
export function formatParameterTable(): string {
  const names = Object.keys(latencyParameters.sonnet) as Array<keyof LatencyParameters>;
  const lines = ['| parameter | sonnet | haiku |', '|---|---|---|'];
  for (const name of names) lines.push(`| ${name} | ${latencyParameters.sonnet[name]} | ${latencyParameters.haiku[name]} |`);
  return lines.join('\n');
}
