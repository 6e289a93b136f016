import { type Incident, sessionsOf } from '../incident.js';
import { offeredVersusAchieved, type OfferedVersusAchieved } from '../../engine/load-evidence.js';
import { offeredMessagesPerWindow } from '../../engine/offered-load.js';
import { chatMetrics, RunMetrics } from '../../engine/metrics/run-metrics.js';
import type { ProgressState } from '../../engine/progress.js';
import { runLoad } from '../../engine/run-load.js';
import type { GeneratorHealth } from '../../engine/self-monitor.js';
import type { LoadTarget, SessionRecord } from '../../engine/session-plan.js';
import { type K6Summary, toK6Summary } from '../../engine/summary.js';
import { evaluateThresholds, type ThresholdResult, type ThresholdSpec } from '../../engine/thresholds.js';

/** What either engine hands back: the sessions to audit, the generator's health, and how to judge the gates. */
export interface LoadRun {
  /** Every session as the client saw it; null when the engine cannot tell (then nothing is audited). */
  sessions: SessionRecord[] | null;
  generator: GeneratorHealth | null;
  /** Why sessions ended early, the first few. */
  errorExamples: string[];
  /** What the plan offered against what was achieved; null where the engine cannot tell per window (k6 then gives the plateau's counts). */
  offered: OfferedVersusAchieved | null;
  /** Evaluates the gates, with counters measured after the load (the audit's) added, and gives the summary to write. */
  judge(thresholds: Record<string, ThresholdSpec[]>, counters: Record<string, number>, extra: object): { results: ThresholdResult[]; summary: K6Summary };
}

export interface LoadRunOptions {
  incident: Incident;
  scale: number;
  durationMs: number;
  /** One of the incident's shapes (undefined: its only one). */
  shape?: string;
  /** The model's time scale: 1 at real speed (always under --target). */
  timeScale?: number;
  seed: number;
  target: LoadTarget;
  signal: AbortSignal;
  onProgress?: (state: ProgressState) => void;
}

/** The incident's load through the built-in engine, in this process. */
export async function runBuiltinLoad(options: LoadRunOptions): Promise<LoadRun> {
  const metrics = new RunMetrics(chatMetrics);
  const shape = options.incident.load(options.scale, options.durationMs, options.shape);
  const sessions = sessionsOf(options.incident, options.shape);
  const result = await runLoad({
    target: options.target,
    shape,
    sessions,
    seed: options.seed,
    metrics,
    signal: options.signal,
    onProgress: options.onProgress,
    gracefulStopMs: shape.gracefulStopMs,
  });
  const offered = offeredVersusAchieved(metrics.snapshot(), offeredMessagesPerWindow(shape, sessions, options.seed, metrics.windowMs), shape.plateau);
  return {
    sessions: result.sessions,
    generator: result.generator,
    errorExamples: result.errorExamples,
    offered,
    judge(thresholds, counters, extra) {
      for (const [counter, value] of Object.entries(counters)) metrics.add(counter, value);
      const snapshot = metrics.snapshot();
      const results = evaluateThresholds(snapshot, thresholds, { plateau: shape.plateau });
      return { results, summary: toK6Summary(snapshot, results, extra) };
    },
  };
}
