import { k6Reference, type ReferenceRow } from './engine-reference.js';

/** One generator at one session count, as measured. */
export interface RowFigures {
  sessions: number;
  messages: number;
  scheduled: number;
  /** Ours only: the pace in the whole 10-s windows after the ramp (every session open and past its first think). */
  steadyPace: number | null;
  /** The generator's CPU over the run window. */
  cpuMs: number;
  wallMs: number;
  ttftP50: number;
  ttftP95: number;
  peakRss: number;
  /** The generator's own event-loop delay p99 (ours: engine/self-monitor); null for k6, which does not say. */
  eventLoopP99Ms: number | null;
  /** CPU that other processes used on the generator's core during the run; null when it was not pinned. */
  othersOnCoreMs: number | null;
  /** Ours only: growth over the idle process after a full GC, with every session open. */
  growth: { rss: number; heap: number } | null;
  errors: number;
  /** Why a figure may describe something else than the generator (the fake busy, another process's load). */
  notes: string[];
}

/** A session count a generator "sustains" on one core. */
export const sustainRule = { minKeptPace: 0.95, maxTtftP95Ms: 100 } as const;

/** Past this share of the generator's core taken by other processes, its pace and TTFT are not its own. */
export const contendedShare = 0.1;
const mebibyte = 1024 * 1024;
const kibibyte = 1024;
const whole = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-');
export const percent = (value: number) => (Number.isFinite(value) ? `${(value * 100).toFixed(1)} %` : '-');
const milliseconds = (value: number) => (!Number.isFinite(value) ? '-' : value < 10 ? value.toFixed(1) : whole(value));

export const perCpuSecond = (row: RowFigures) => row.messages / (row.cpuMs / 1_000);
export const keptPace = (row: RowFigures) => (row.scheduled > 0 ? row.messages / row.scheduled : Number.NaN);
export const totalKiBPerSession = (row: RowFigures) => row.peakRss / kibibyte / row.sessions;
export const othersShare = (row: RowFigures) => (row.othersOnCoreMs === null ? 0 : row.othersOnCoreMs / row.wallMs);
export const sustains = (row: RowFigures) => row.errors === 0 && keptPace(row) >= sustainRule.minKeptPace && row.ttftP95 < sustainRule.maxTtftP95Ms;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

export function printRows(title: string, rows: RowFigures[]): void {
  console.log(`\n${title}`);
  console.log(table(
    ['sessions', 'msgs per CPU-s', 'CPU of a core', 'others on its core', 'kept pace (sent / scheduled), after the ramp', 'TTFT p50 / p95 ms', 'event-loop p99 ms', 'peak RSS', 'RSS / session', 'growth / session: RSS, heap', 'errors'],
    rows.map((row) => [
      whole(row.sessions), whole(perCpuSecond(row)), percent(row.cpuMs / row.wallMs),
      row.othersOnCoreMs === null ? '-' : percent(row.othersOnCoreMs / row.wallMs),
      `${percent(keptPace(row))} (${whole(row.messages)} / ${whole(row.scheduled)}), ${row.steadyPace === null ? '-' : percent(row.steadyPace)}`,
      `${milliseconds(row.ttftP50)} / ${milliseconds(row.ttftP95)}`,
      row.eventLoopP99Ms === null ? '-' : milliseconds(row.eventLoopP99Ms),
      `${whole(row.peakRss / mebibyte)} MiB`, `${whole(totalKiBPerSession(row))} KiB`,
      row.growth === null ? '-' : `${whole((row.growth.rss / kibibyte) / row.sessions)} KiB, ${whole((row.growth.heap / kibibyte) / row.sessions)} KiB`,
      whole(row.errors),
    ]),
  ));
  for (const row of rows) {
    for (const note of row.notes) console.log(`  ${whole(row.sessions)} sessions: ${note}`);
    if (othersShare(row) > contendedShare) {
      console.log(`  ${whole(row.sessions)} sessions: other processes used ${percent(othersShare(row))} of the generator's core: `
        + 'its pace and TTFT understate it, and its CPU per message suffers too (caches, late timers)');
    }
  }
}

/** k6's figures for one row, from this run or from the reference (the best end of a range, so "at least" is strict). */
interface PeerFigures { perCpuSecond: number; kibPerSession: number; keptPace: number | 'yes'; ttftP50: number; ttftP95: number }

function fromReference(row: ReferenceRow): PeerFigures {
  return {
    perCpuSecond: row.messagesPerCpuSecond[1], kibPerSession: row.perSessionKiB,
    keptPace: row.keptPace === null ? 'yes' : row.keptPace[1], ttftP50: row.ttftP50Ms, ttftP95: row.ttftP95Ms[0],
  };
}

function fromLive(row: RowFigures): PeerFigures {
  return { perCpuSecond: perCpuSecond(row), kibPerSession: totalKiBPerSession(row), keptPace: keptPace(row), ttftP50: row.ttftP50, ttftP95: row.ttftP95 };
}

export interface Verdict { rows: number; met: number; missed: string[]; oursLargest: string; peerLargest: string; largestMet: boolean }

function largest(rows: RowFigures[]): { sessions: number; text: string } {
  const held = rows.filter(sustains).map((row) => row.sessions);
  const best = held.length === 0 ? 0 : Math.max(...held);
  const above = rows.filter((row) => row.sessions > best).map((row) => row.sessions);
  if (above.length === 0) return { sessions: best, text: `≥ ${whole(best)} (the largest row measured)` };
  const next = `${whole(Math.min(...above))} did not`;
  return { sessions: best, text: best === 0 ? `none of the rows (${next})` : `${whole(best)} (${next})` };
}

/**
 * Ours against k6 row by row. "At least k6's figures": as many messages per CPU-second, no more
 * memory per session (k6's measure: the process's RSS / sessions), kept pace as well (≥ 95 %
 * counts as keeping pace), TTFT p50 and p95 no higher. TTFTs compare in whole ms: k6 times with
 * Date.now().
 */
export function printComparison(ours: RowFigures[], live: { label: string; rows: RowFigures[] } | null): Verdict {
  const label = live?.label ?? k6Reference.label;
  console.log(`\nours / k6, against ${label}`);
  const verdict: Verdict = { rows: 0, met: 0, missed: [], oursLargest: largest(ours).text, peerLargest: '', largestMet: false };
  const lines: string[][] = [];
  for (const row of ours) {
    const peerRow = live ? live.rows.find((candidate) => candidate.sessions === row.sessions) : k6Reference.rows.find((candidate) => candidate.sessions === row.sessions);
    if (!peerRow) continue;
    const peer = live ? fromLive(peerRow as RowFigures) : fromReference(peerRow as ReferenceRow);
    const oursKeptPace = keptPace(row);
    const checks = {
      'msgs per CPU-s': perCpuSecond(row) >= peer.perCpuSecond,
      'memory per session': totalKiBPerSession(row) <= peer.kibPerSession,
      'kept pace': oursKeptPace >= sustainRule.minKeptPace || (peer.keptPace !== 'yes' && oursKeptPace >= peer.keptPace),
      'TTFT': Math.round(row.ttftP50) <= Math.round(peer.ttftP50) && Math.round(row.ttftP95) <= Math.round(peer.ttftP95),
    };
    const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
    lines.push([
      whole(row.sessions),
      `${(perCpuSecond(row) / peer.perCpuSecond).toFixed(2)}x (${whole(perCpuSecond(row))} / ${whole(peer.perCpuSecond)}) ${mark(checks['msgs per CPU-s'])}`,
      `${(totalKiBPerSession(row) / peer.kibPerSession).toFixed(2)}x (${whole(totalKiBPerSession(row))} / ${whole(peer.kibPerSession)} KiB) ${mark(checks['memory per session'])}`,
      `${percent(oursKeptPace)} / ${peer.keptPace === 'yes' ? 'yes' : percent(peer.keptPace)} ${mark(checks['kept pace'])}`,
      `${milliseconds(row.ttftP50)}/${milliseconds(row.ttftP95)} vs ${milliseconds(peer.ttftP50)}/${milliseconds(peer.ttftP95)} ms ${mark(checks.TTFT)}`,
    ]);
    verdict.rows += 1;
    const missed = Object.entries(checks).filter(([, ok]) => !ok).map(([name]) => name);
    if (missed.length === 0) verdict.met += 1;
    else verdict.missed.push(`${whole(row.sessions)} sessions: ${missed.join(', ')}`);
  }
  console.log(table(['sessions', 'msgs per CPU-s ours/k6', 'memory per session (RSS / sessions) ours/k6', 'kept pace ours / k6', 'TTFT p50/p95 ours vs k6'], lines));
  const peerLargest = live ? largest(live.rows) : { sessions: k6Reference.largestSustained, text: `${whole(k6Reference.largestSustained)} (3,000 kept 83–86 %)` };
  verdict.peerLargest = peerLargest.text;
  verdict.largestMet = largest(ours).sessions >= peerLargest.sessions;
  console.log(`largest session count sustained on one core (kept pace ≥ ${sustainRule.minKeptPace * 100} %, p95 TTFT < ${sustainRule.maxTtftP95Ms} ms): ours ${verdict.oursLargest}, k6 ${verdict.peerLargest}`);
  return verdict;
}

export function printTarget(verdict: Verdict, quick: boolean): void {
  const met = verdict.met === verdict.rows && verdict.largestMet;
  const what = `${verdict.met}/${verdict.rows} rows at least k6's figures, largest sustained ${verdict.largestMet ? 'at least' : 'below'} k6's`;
  console.log(`\ntarget: at least k6's figures on every row: ${met ? 'met' : 'MISSED'} (${what})${quick ? ' [--quick: short runs, warm-up weighs more]' : ''}`);
  for (const missed of verdict.missed) console.log(`  missed at ${missed}`);
}
