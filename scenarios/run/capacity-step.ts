/**
 * One step of `gameday capacity`: a plateau at one offered message rate, run as its own load
 * (engine/run-load.ts) and measured over its windows past warm-up.
 *
 * Why each step is its own runLoad with a constant arrival rate, and not one run with stepped
 * stages: every step then has its own metrics (windows start at the step's start, so the judged
 * windows are exactly "past warm-up, inside the hold"), its own generator health (a saturated
 * generator is pinned to the step it spoiled), its own summary.json, and offered load is the plain
 * constant-rate plan. The cost is a drain between steps: a step's sessions are cut at its end
 * (gracefulStop 0; a cut turn is no error) and the next step warms up from empty, which its
 * warm-up (one session length) leaves out of the judgement. The search stops after the first step
 * that breaks, since it is judged as soon as it ends.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { judgeStep, type StepJudgement, type StepMeasure } from './capacity-judge.js';
import { cpuBetween, type CpuMark, markCpu, type NamedProcess, type ProcessCpu } from './stack-cpu.js';
import { offeredVersusAchieved } from '../../engine/load-evidence.js';
import { trendAggregate, trendView } from '../../engine/metrics/aggregate.js';
import { chatMetrics, type MetricsSnapshot, RunMetrics } from '../../engine/metrics/run-metrics.js';
import { mergeTrend, type RateValues, type TrendValues } from '../../engine/metrics/snapshot.js';
import { offeredMessagesPerWindow, sessionRandom } from '../../engine/offered-load.js';
import type { ProgressState } from '../../engine/progress.js';
import { runLoad } from '../../engine/run-load.js';
import type { GeneratorHealth } from '../../engine/self-monitor.js';
import type { LoadTarget, SessionFactory } from '../../engine/session-plan.js';
import { toK6Summary } from '../../engine/summary.js';
import { constantSessions } from '../kit/load-kit.js';

/**
 * A turn at the model's real speed, for how long a session lasts: Sonnet's mean normal turn is
 * 3.24 s (stack/bedrock/calibration.md, 2–3K input tokens, 300 output).
 */
export const realTimeTurnMs = 3_300;

export interface PlanStats {
  meanTurnsPerSession: number;
  /** Think times plus each turn at realTimeTurnMs, averaged: one session length, the warm-up. */
  meanSessionMs: number;
}

/** From the plans a run will play (the same seeded draws), so the offered rate is the plan's own. */
export function planStats(sessions: SessionFactory, seed: number, count = 1_000): PlanStats {
  let turns = 0;
  let ms = 0;
  for (let index = 0; index < count; index += 1) {
    const plan = sessions(index, sessionRandom(seed, index, 'plan'));
    turns += plan.turns.length;
    ms += plan.turns.reduce((sum, turn) => sum + turn.thinkBeforeMs + realTimeTurnMs, 0);
  }
  return { meanTurnsPerSession: turns / count, meanSessionMs: Math.round(ms / count) };
}

export interface CapacityStepOptions {
  /** Offered messages per second. */
  rate: number;
  holdMs: number;
  warmupMs: number;
  sessions: SessionFactory;
  stats: PlanStats;
  seed: number;
  target: LoadTarget;
  /** The processes to measure, read at the step's start (a replaced worker has a new pid). */
  processes: () => NamedProcess[];
  /** This step's folder: its summary.json goes there. */
  dir: string;
  /** More of our part of summary.json (incident, settings). */
  extra: object;
  signal: AbortSignal;
  onProgress?: (state: ProgressState) => void;
}

export interface StepResult {
  rate: number;
  sessionsPerSecond: number;
  judged: { fromMs: number; toMs: number; firstWindow: number; lastWindow: number };
  offered: number;
  achieved: number;
  /** Every message the step sent, warm-up included. */
  messages: number;
  offeredPerWindow: number[];
  achievedPerWindow: number[];
  /** Over the judged windows together; null without answers. */
  ttftMs: { p50: number; p95: number; p99: number } | null;
  errorRate: number | null;
  generator: GeneratorHealth;
  /** Busiest first; over the judged windows. */
  cpu: ProcessCpu[];
  judgement: StepJudgement;
  summaryPath: string;
}

type Windows<V> = Array<V & { index: number }>;

function judgedWindows<V>(snapshot: MetricsSnapshot, metric: string, first: number, last: number): Windows<V> {
  const series = snapshot.metrics[metric];
  return ((series?.windows ?? []) as unknown as Windows<V>).filter((window) => window.index >= first && window.index <= last);
}

const percentile = (values: TrendValues, p: number, scale: number) => trendAggregate(trendView(values), { aggregation: 'p', percentile: p }, scale);

/** TTFT and errors over the judged windows: per window for the windowed gate, merged for the curve. */
function latencyAndErrors(snapshot: MetricsSnapshot, first: number, last: number) {
  const ttft = judgedWindows<TrendValues>(snapshot, 'chat_ttft', first, last).filter((window) => window.count > 0);
  const ttftWindows = ttft.map((window) => ({ index: window.index, p95Ms: percentile(window, 95, snapshot.trendScale), samples: window.count }));
  const merged = ttft.length > 0 ? ttft.slice(1).reduce<TrendValues>((all, window) => mergeTrend(all, window), ttft[0] as TrendValues) : null;
  const ttftMs = merged ? { p50: percentile(merged, 50, snapshot.trendScale), p95: percentile(merged, 95, snapshot.trendScale), p99: percentile(merged, 99, snapshot.trendScale) } : null;
  const errors = judgedWindows<RateValues>(snapshot, 'chat_errors', first, last)
    .reduce((sum, window) => ({ hits: sum.hits + window.hits, total: sum.total + window.total }), { hits: 0, total: 0 });
  return { ttftWindows, ttftMs, errors };
}

/** Runs one step at its rate for holdMs, then measures and judges it; writes its summary.json. */
export async function runCapacityStep(options: CapacityStepOptions): Promise<StepResult> {
  const { rate, holdMs, warmupMs, stats } = options;
  const sessionsPerSecond = rate / stats.meanTurnsPerSession;
  const shape = constantSessions(sessionsPerSecond, holdMs, stats.meanSessionMs);
  const metrics = new RunMetrics(chatMetrics);
  const { windowMs } = metrics;
  const firstWindow = Math.ceil(warmupMs / windowMs);
  const lastWindow = Math.floor(holdMs / windowMs) - 1;
  if (lastWindow < firstWindow) throw new Error(`a hold of ${holdMs} ms leaves no whole ${windowMs} ms window after a warm-up of ${warmupMs} ms`);
  const processes = options.processes();
  // CPU is read at the edges of the judged windows, so it is the plateau's cost, not the warm-up's.
  const marks: { start: CpuMark | null; end: CpuMark | null } = { start: null, end: null };
  const at = (windowIndex: number) => Math.max(0, metrics.startedAt + windowIndex * windowMs - Date.now());
  const startTimer = setTimeout(() => { marks.start = markCpu(processes); }, at(firstWindow));
  const endTimer = setTimeout(() => { marks.end = markCpu(processes); }, at(lastWindow + 1));
  let load: Awaited<ReturnType<typeof runLoad>>;
  try {
    load = await runLoad({
      target: options.target, shape, sessions: options.sessions, seed: options.seed, metrics,
      signal: options.signal, onProgress: options.onProgress, gracefulStopMs: 0,
    });
  } finally {
    clearTimeout(startTimer);
    clearTimeout(endTimer);
  }
  const snapshot = metrics.snapshot();
  const offered = offeredVersusAchieved(snapshot, offeredMessagesPerWindow(shape, options.sessions, options.seed, windowMs), { fromMs: warmupMs, toMs: holdMs });
  const { ttftWindows, ttftMs, errors } = latencyAndErrors(snapshot, firstWindow, lastWindow);
  const measure: StepMeasure = {
    windowMs, judged: { first: firstWindow, last: lastWindow }, offered: offered.plateauOffered, achieved: offered.plateauAchieved,
    ttftWindows, errors, generator: load.generator,
  };
  const judgement = judgeStep(measure);
  const sent = judgedWindows<{ sum: number }>(snapshot, 'chat_messages', firstWindow, lastWindow).reduce((sum, window) => sum + window.sum, 0);
  const cpu = marks.start ? cpuBetween(marks.start, marks.end ?? markCpu(processes), processes, sent) : [];
  const result: Omit<StepResult, 'summaryPath'> = {
    rate, sessionsPerSecond, judged: { fromMs: firstWindow * windowMs, toMs: (lastWindow + 1) * windowMs, firstWindow, lastWindow },
    offered: offered.plateauOffered, achieved: offered.plateauAchieved,
    messages: (snapshot.metrics.chat_messages?.total as { sum: number } | undefined)?.sum ?? 0,
    offeredPerWindow: offered.offered, achievedPerWindow: offered.achieved,
    ttftMs, errorRate: errors.total > 0 ? errors.hits / errors.total : null, generator: load.generator, cpu, judgement,
  };
  mkdirSync(options.dir, { recursive: true });
  const summaryPath = join(options.dir, 'summary.json');
  const summary = toK6Summary(snapshot, [], { ...options.extra, capacityStep: result, errorExamples: load.errorExamples });
  writeFileSync(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  return { ...result, summaryPath };
}
