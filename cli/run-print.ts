import type { IncidentOutcome } from '../scenarios/run/run-incident.js';
import type { SuiteEntry } from '../scenarios/run/run-suite.js';
import { thresholdLabel } from '../engine/latency-scale.js';
import { chatMetrics } from '../engine/metrics/run-metrics.js';
import type { ThresholdResult } from '../engine/thresholds.js';

const definitions = new Map(chatMetrics.map((definition) => [definition.name, definition]));

/** A measured value in the metric's own terms: ms for time trends, a percentage for rates. */
export function formatValue(metric: string, value: number | null): string {
  if (value === null) return '-';
  const definition = definitions.get(metric);
  if (definition?.type === 'rate') return `${(value * 100).toFixed(2)}%`;
  if (definition?.type === 'trend' && definition.contains === 'time') return `${Math.round(value)} ms`;
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 4 : 1);
}

function verdict(result: ThresholdResult): string {
  const windows = result.windowed ? ` (${result.windowed.failedWindows}/${result.windowed.windows} windows failed)` : '';
  return `${result.ok ? 'pass' : 'FAIL'}${windows}`;
}

type Row = [string, string, string, string, string];

/** The stable code of a harness error (RunError, StackError, CliError), if it has one. */
export function errorCode(error: Error): string | null {
  return 'code' in error && typeof error.code === 'string' && error.code.startsWith('GAMEDAY_ERR_') ? error.code : null;
}

/** A harness error as the CLI prints every error: `gameday: CODE: message`, with the incident. */
export function errorLine(entry: SuiteEntry): string {
  if (!entry.error) return '';
  const code = errorCode(entry.error);
  return code ? `gameday: ${code}: ${entry.incident.id}: ${entry.error.message}` : `gameday: ${entry.incident.id}: unexpected failure: ${entry.error.stack ?? entry.error.message}`;
}

function outcomeRows(outcome: IncidentOutcome): Row[] {
  const profile = outcome.naive.length > 0 ? `naive (${outcome.naive.join(',')})` : outcome.profile;
  const rows: Row[] = outcome.thresholds.map((result) =>
    ['', '', thresholdLabel(result), formatValue(result.metric, result.observed), verdict(result)]);
  rows.push(...outcome.notEvaluated.map((skipped): Row => ['', '', `${skipped.metric} ${skipped.expression}`, '-', 'not evaluated']));
  if (rows[0]) rows[0] = [outcome.incident, profile, rows[0][2], rows[0][3], rows[0][4]];
  return rows;
}

/** The table after a run: incident, profile, each threshold, its measured value, pass or FAIL. */
export function resultTable(entries: readonly SuiteEntry[]): string {
  const rows: Row[] = [['incident', 'profile', 'threshold', 'value', 'result']];
  for (const entry of entries) {
    if (entry.outcome) rows.push(...outcomeRows(entry.outcome));
    else rows.push([entry.incident.id, '', `(the harness failed: ${errorCode(entry.error) ?? 'see the error'})`, '-', 'ERROR']);
  }
  const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  const line = (row: Row) => row.map((cell, column) => (column === 4 ? cell : cell.padEnd(widths[column] as number))).join('  ').trimEnd();
  const notes = entries.flatMap((entry) => [
    ...[...new Set(entry.outcome?.notEvaluated.map((skipped) => skipped.reason))].map((reason) => `note: ${entry.incident.id}: not evaluated: ${reason}`),
    ...(entry.outcome ? offeredLine(entry.outcome) : []),
    ...(entry.outcome?.evidence.reasons.map((reason) => `NOT EVIDENCE: ${entry.incident.id}: ${reason}`) ?? []),
  ]);
  return [...rows.map(line), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}

/** The plateau's offered and achieved messages, where the load had one. */
function offeredLine(outcome: IncidentOutcome): string[] {
  const load = outcome.offered;
  if (!load?.plateau || load.plateauOffered === 0) return [];
  const seconds = (ms: number) => `${Math.round(ms / 1_000)} s`;
  const span = load.plateau.lastWindow - load.plateau.firstWindow + 1;
  const rate = (count: number) => (count / ((span * load.windowMs) / 1_000)).toFixed(1);
  return [`load: ${outcome.incident}: plateau ${seconds(load.plateau.fromMs)}-${seconds(load.plateau.toMs)}: offered ${load.plateauOffered} messages `
    + `(${rate(load.plateauOffered)} msg/s), achieved ${load.plateauAchieved} (${rate(load.plateauAchieved)} msg/s, `
    + `${((load.plateauAchieved / load.plateauOffered) * 100).toFixed(1)} %)`];
}

/**
 * k6's convention: 1 the harness failed (outranks the rest), 99 a gate failed, 0 every gate held.
 * A run that is not evidence (its load not offered, its generator saturated) is 1 too: its verdict says nothing.
 */
export function exitCodeOf(entries: readonly SuiteEntry[]): number {
  if (entries.length === 0 || entries.some((entry) => entry.error || !entry.outcome?.evidence.ok)) return 1;
  return entries.every((entry) => entry.outcome?.passed) ? 0 : 99;
}

/** `--json`: the outcomes (and harness errors) for machines. */
export function resultJson(entries: readonly SuiteEntry[], runDir: string): object {
  return {
    runDir,
    exitCode: exitCodeOf(entries),
    incidents: entries.map((entry) => entry.outcome
      ? { ...entry.outcome, error: null }
      : { incident: entry.incident.id, error: { code: errorCode(entry.error), message: entry.error.message } }),
  };
}
