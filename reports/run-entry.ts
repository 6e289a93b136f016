import { reportErrors } from './report-errors.js';
import type { Journal } from '../chaos/experiments/journal.js';
import type { AuditResult } from '../engine/audit.js';
import { SNAPSHOT_FORMAT, type MetricsSnapshot } from '../engine/metrics/snapshot.js';
import type { Evidence, OfferedVersusAchieved } from '../engine/load-evidence.js';
import type { GeneratorHealth } from '../engine/self-monitor.js';
import type { K6MetricSummary } from '../engine/summary.js';
import type { ThresholdResult } from '../engine/thresholds.js';
import type { NotEvaluated } from '../scenarios/run/run-incident.js';

/** Values sampled beside the load (Redis's INFO), t in ms after `startedAt` (the run start when absent). */
export interface RunSamples {
  /** Epoch ms of the sampler's start, on the clock the metrics' snapshot uses. */
  startedAt: number | null;
  intervalMs: number;
  series: Record<string, Array<[number, number]>>;
}

/** One incident-profile of a run folder, as the report needs it; what an older summary lacks is null. */
export interface RunEntry {
  /** The folder's name, `<incident>-<profile>`. */
  key: string;
  summaryPath: string;
  incident: string;
  title: string | null;
  profile: string;
  naive: string[];
  engine: string;
  scale: number | null;
  durationMs: number | null;
  seed: number | null;
  target: string | null;
  timeCompression: string | null;
  thresholds: ThresholdResult[];
  notEvaluated: NotEvaluated[];
  metrics: Record<string, K6MetricSummary>;
  /** HDR trends and 10 s windows; null from k6. */
  snapshot: MetricsSnapshot | null;
  samples: RunSamples | null;
  audit: AuditResult | { skipped: string } | null;
  generator: GeneratorHealth | null;
  journal: Journal | null;
  /** Faults of the timeline a --skip-faults run left to someone else. */
  faultsSkipped: Array<{ fault: string; atMs: number; durationMs: number }>;
  errorExamples: string[];
  /** The run's length: the snapshot's span, else k6's testRunDurationMs. */
  runMs: number | null;
  /** The model's time scale the latency thresholds were judged at; null in older summaries. */
  timeScale: number | null;
  /** Offered against achieved messages per window and on the plateau; null when not recorded. */
  load: OfferedVersusAchieved | null;
  /** Whether the run offered the load it claims; null in older summaries. */
  evidence: Evidence | null;
}

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const texts = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

function thresholdsOf(raw: unknown, path: string): ThresholdResult[] {
  if (!Array.isArray(raw)) throw reportErrors.corruptSummary(path, 'gameday.thresholds is not a list');
  return raw.map((item, index) => {
    if (!isObject(item) || typeof item.metric !== 'string' || typeof item.expression !== 'string' || typeof item.ok !== 'boolean') {
      throw reportErrors.corruptSummary(path, `gameday.thresholds[${index}] lacks its metric, expression or ok`);
    }
    return { ...item, metric: item.metric, expression: item.expression, ok: item.ok, observed: num(item.observed) } as ThresholdResult;
  });
}

function notEvaluatedOf(raw: unknown): NotEvaluated[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isObject).map((item) => ({ metric: text(item.metric) ?? '?', expression: text(item.expression) ?? '?', reason: text(item.reason) ?? '' }));
}

const seriesTypes: readonly unknown[] = ['trend', 'rate', 'counter', 'gauge'];

/** The per-window metrics, checked as far as the charts read them; null from k6, an error when malformed. */
function snapshotOf(raw: unknown, path: string): MetricsSnapshot | null {
  if (raw === null || raw === undefined) return null;
  const corrupt = (detail: string) => reportErrors.corruptSummary(path, `gameday.snapshot ${detail}`);
  if (!isObject(raw) || raw.format !== SNAPSHOT_FORMAT) throw corrupt(`is not of format "${SNAPSHOT_FORMAT}"`);
  if (!isObject(raw.metrics) || [raw.startedAt, raw.endedAt, raw.windowMs, raw.trendScale].some((value) => num(value) === null)) {
    throw corrupt('lacks its metrics, start, end, window size or trend scale');
  }
  for (const [name, series] of Object.entries(raw.metrics)) {
    const valid = isObject(series) && seriesTypes.includes(series.type) && isObject(series.total) && Array.isArray(series.windows)
      && series.windows.every((window) => isObject(window) && num(window.index) !== null);
    if (!valid) throw corrupt(`metric ${name} lacks its type, total or windows`);
  }
  return raw as unknown as MetricsSnapshot;
}

function samplesOf(raw: unknown): RunSamples | null {
  if (!isObject(raw) || !isObject(raw.series) || num(raw.intervalMs) === null) return null;
  const series = Object.fromEntries(Object.entries(raw.series).map(([name, points]) => [name,
    Array.isArray(points) ? points.filter((point): point is [number, number] =>
      Array.isArray(point) && num(point[0]) !== null && num(point[1]) !== null) : []]));
  return { startedAt: num(raw.startedAt), intervalMs: raw.intervalMs as number, series };
}

/** Why a journal (in the summary or journal.json) cannot be drawn, or null when it can. */
export function journalFlaw(raw: unknown): string | null {
  if (!isObject(raw) || typeof raw.start !== 'string' || typeof raw.end !== 'string' || !Array.isArray(raw.method) || !Array.isArray(raw.rollbacks)) {
    return 'it lacks its start, end, method or rollbacks';
  }
  const badStep = raw.method.findIndex((step) => !isObject(step)
    || [step.name, step.fault, step.start, step.end, step.outcome].some((value) => typeof value !== 'string')
    || num(step.atMs) === null || num(step.durationMs) === null);
  return badStep >= 0 ? `method[${badStep}] lacks its name, fault, times or outcome` : null;
}

function journalOf(raw: unknown, path: string): Journal | null {
  if (raw === null || raw === undefined) return null;
  const flaw = journalFlaw(raw);
  if (flaw) throw reportErrors.corruptSummary(path, `gameday.faults (the chaos journal): ${flaw}`);
  return raw as unknown as Journal;
}

function skippedFaultsOf(raw: unknown): RunEntry['faultsSkipped'] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isObject).map((step) => ({ fault: text(step.fault) ?? '?', atMs: num(step.atMs) ?? 0, durationMs: num(step.durationMs) ?? 0 }));
}

function loadOf(raw: unknown): OfferedVersusAchieved | null {
  const counts = (value: unknown) => Array.isArray(value) && value.every((count) => num(count) !== null);
  if (!isObject(raw) || num(raw.windowMs) === null || !counts(raw.offered) || !counts(raw.achieved)) return null;
  return raw as unknown as OfferedVersusAchieved;
}

function evidenceOf(raw: unknown): Evidence | null {
  return isObject(raw) && typeof raw.ok === 'boolean' ? { ok: raw.ok, reasons: texts(raw.reasons) } : null;
}

function auditOf(raw: unknown): RunEntry['audit'] {
  if (!isObject(raw)) return null;
  if (typeof raw.skipped === 'string') return { skipped: raw.skipped };
  return num(raw.sessions) !== null ? raw as unknown as AuditResult : null;
}

function generatorOf(raw: unknown): GeneratorHealth | null {
  return isObject(raw) && num(raw.cpuPercent) !== null && num(raw.eventLoopP99Ms) !== null ? raw as unknown as GeneratorHealth : null;
}

/** The incident and profile from the summary, else from the folder name `<incident>-<profile>`. */
function names(gameday: Record<string, unknown>, key: string): { incident: string; profile: string } {
  const fromKey = /^(.*)-(hardened|naive)$/.exec(key);
  return {
    incident: text(gameday.incident) ?? fromKey?.[1] ?? key,
    profile: text(gameday.profile) ?? fromKey?.[2] ?? 'unknown',
  };
}

/**
 * A summary.json (k6's handleSummary shape plus our `gameday` key) read defensively: the gate
 * results must be there, the rest is taken when it has the expected shape. Older summaries and
 * k6's lack the snapshot, the samples and more; the report says "not recorded" for those.
 */
export function entryFromSummary(json: unknown, path: string, key: string): RunEntry {
  if (!isObject(json)) throw reportErrors.corruptSummary(path, 'it is not a JSON object');
  if (!isObject(json.metrics)) throw reportErrors.corruptSummary(path, 'it has no "metrics" object (k6\'s handleSummary shape)');
  const gameday = json.gameday;
  if (!isObject(gameday)) throw reportErrors.corruptSummary(path, 'it has no "gameday" object; was it written by `gameday run`?');
  const snapshot = snapshotOf(gameday.snapshot, path);
  const state = isObject(json.state) ? json.state : {};
  return {
    key,
    summaryPath: path,
    ...names(gameday, key),
    title: text(gameday.title),
    naive: texts(gameday.naive),
    engine: text(gameday.engine) ?? 'unknown',
    scale: num(gameday.scale),
    durationMs: num(gameday.durationMs),
    seed: num(gameday.seed),
    target: text(gameday.target),
    timeCompression: text(gameday.timeCompression),
    thresholds: thresholdsOf(gameday.thresholds, path),
    notEvaluated: notEvaluatedOf(gameday.notEvaluated),
    metrics: Object.fromEntries(Object.entries(json.metrics).filter(([, metric]) => isObject(metric) && isObject(metric.values))) as Record<string, K6MetricSummary>,
    snapshot,
    samples: samplesOf(gameday.samples),
    audit: auditOf(gameday.audit),
    generator: generatorOf(gameday.generator),
    journal: journalOf(gameday.faults, path),
    faultsSkipped: skippedFaultsOf(gameday.faultsSkipped),
    errorExamples: texts(gameday.errorExamples),
    runMs: snapshot ? snapshot.endedAt - snapshot.startedAt : num(state.testRunDurationMs),
    timeScale: num(gameday.timeScale),
    load: loadOf(gameday.load),
    evidence: evidenceOf(gameday.evidence),
  };
}

/** A metric's whole-run value by k6's name for it ('count', 'p(95)'…); null when the summary lacks it. */
export function metricValue(entry: RunEntry, metric: string, stat: string): number | null {
  return num(entry.metrics[metric]?.values[stat]);
}
