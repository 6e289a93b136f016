import { formatValue } from './format.js';
import type { RunEntry } from './run-entry.js';
import type { RunFolder } from './run-folder.js';
import { thresholdKey } from '../engine/summary.js';
import { parseThreshold } from '../engine/thresholds.js';

/** A threshold in one run: judged (value and verdict), not evaluated, or absent. */
export interface Side {
  state: 'pass' | 'fail' | 'not evaluated' | 'missing';
  value: number | null;
  /** The value as the report shows it (ms, %, count). */
  shown: string;
}

export type Change = 'same' | 'changed' | 'better' | 'worse' | 'worse beyond tolerance' | 'pass → fail' | 'fail → pass' | 'no longer judged' | 'new in B';

export interface ThresholdComparison {
  /** `<incident>-<profile>`. */
  entry: string;
  metric: string;
  threshold: string;
  a: Side;
  b: Side;
  change: Change;
  regressed: boolean;
}

export interface Comparison {
  a: { dir: string; runId: string };
  b: { dir: string; runId: string };
  /** A relative change, e.g. 0.2: B may be up to 20 % worse than A before it counts as a regression. */
  tolerance: number;
  regressed: boolean;
  rows: ThresholdComparison[];
  /** What makes the two runs unlike (scale, duration, engine), so a reader can weigh the numbers. */
  notes: string[];
}

type Judged = { entry: RunEntry; metric: string; threshold: string; expression: string; side: Side };

function sides(run: RunFolder): Map<string, Judged> {
  const all = new Map<string, Judged>();
  for (const entry of run.entries) {
    for (const result of entry.thresholds) {
      const threshold = thresholdKey(result);
      all.set(`${entry.key}\n${result.metric}\n${threshold}`, {
        entry, metric: result.metric, threshold, expression: result.expression,
        side: { state: result.ok ? 'pass' : 'fail', value: result.observed, shown: formatValue(entry, result.metric, result.observed) },
      });
    }
    for (const skipped of entry.notEvaluated) {
      all.set(`${entry.key}\n${skipped.metric}\n${skipped.expression}`, {
        entry, metric: skipped.metric, threshold: skipped.expression, expression: skipped.expression, side: { state: 'not evaluated', value: null, shown: '-' },
      });
    }
  }
  return all;
}

/** +1 when a higher value is worse (`p(95)<3000`), -1 when a lower one is (`count>0`), 0 when only pass/fail counts. */
function badDirection(expression: string): { sign: number; limit: number } {
  try {
    const parsed = parseThreshold(expression);
    const sign = parsed.operator.startsWith('<') ? 1 : parsed.operator.startsWith('>') ? -1 : 0;
    return { sign, limit: parsed.value };
  } catch {
    return { sign: 0, limit: 0 };
  }
}

/**
 * How B's value moved from A's. "Beyond tolerance": worse by more than `tolerance` of A's
 * value, or of the threshold's limit when A was 0 (an error rate from 0 % is judged against its
 * limit, not against nothing).
 */
function valueChange(expression: string, a: number, b: number, tolerance: number): Change {
  const { sign, limit } = badDirection(expression);
  const worseBy = sign * (b - a);
  if (sign === 0) return a === b ? 'same' : 'changed';
  if (worseBy === 0) return 'same';
  if (worseBy < 0) return 'better';
  const base = Math.abs(a) > 0 ? Math.abs(a) : Math.abs(limit);
  return base === 0 || worseBy > tolerance * base ? 'worse beyond tolerance' : 'worse';
}

function judge(a: Side, b: Side, expression: string, tolerance: number): { change: Change; regressed: boolean } {
  const judgedA = a.state === 'pass' || a.state === 'fail';
  const judgedB = b.state === 'pass' || b.state === 'fail';
  if (judgedA && !judgedB) return { change: 'no longer judged', regressed: true };
  if (!judgedA) return { change: judgedB ? 'new in B' : 'same', regressed: false };
  if (a.state === 'pass' && b.state === 'fail') return { change: 'pass → fail', regressed: true };
  if (a.state === 'fail' && b.state === 'pass') return { change: 'fail → pass', regressed: false };
  if (a.value === null || b.value === null) return { change: 'same', regressed: false };
  const change = valueChange(expression, a.value, b.value, tolerance);
  return { change, regressed: change === 'worse beyond tolerance' };
}

function unlike(a: RunFolder, b: RunFolder): string[] {
  const notes: string[] = [];
  const shared = b.entries.filter((entryB) => a.entries.some((entryA) => entryA.key === entryB.key));
  if (shared.length === 0) {
    const keys = (run: RunFolder) => run.entries.map((entry) => entry.key).join(', ') || 'nothing';
    notes.push(`the runs share no incident-profile (A ran ${keys(a)}; B ran ${keys(b)}): every threshold of A counts as no longer judged`);
  }
  for (const entryB of b.entries) {
    const entryA = a.entries.find((entry) => entry.key === entryB.key);
    if (!entryA) continue;
    const differ = (['engine', 'scale', 'durationMs', 'seed', 'target'] as const)
      .filter((field) => entryA[field] !== entryB[field])
      .map((field) => `${field} ${String(entryA[field])} → ${String(entryB[field])}`);
    if (differ.length > 0) notes.push(`${entryB.key} ran differently: ${differ.join(', ')}`);
  }
  return notes;
}

const missing: Side = { state: 'missing', value: null, shown: '-' };

/**
 * Compares run B with run A, per incident-profile and threshold. B regressed when a threshold
 * went from pass to fail, got worse beyond the tolerance, or was judged in A and not in B (an
 * incident or a gate that silently went away is what a nightly gate must catch).
 */
export function compareRuns(a: RunFolder, b: RunFolder, tolerance: number): Comparison {
  const inA = sides(a);
  const inB = sides(b);
  const rows: ThresholdComparison[] = [];
  for (const key of new Set([...inA.keys(), ...inB.keys()])) {
    const left = inA.get(key);
    const right = inB.get(key);
    const known = (left ?? right) as Judged;
    const sideA = left?.side ?? missing;
    const sideB = right?.side ?? missing;
    rows.push({ entry: known.entry.key, metric: known.metric, threshold: known.threshold, a: sideA, b: sideB, ...judge(sideA, sideB, known.expression, tolerance) });
  }
  return {
    a: { dir: a.dir, runId: a.runId },
    b: { dir: b.dir, runId: b.runId },
    tolerance,
    regressed: rows.some((row) => row.regressed),
    rows,
    notes: unlike(a, b),
  };
}
