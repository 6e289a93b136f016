import type { RunEntry } from './run-entry.js';
import type { MethodRecord } from '../chaos/experiments/journal.js';

/** A fault in effect from `fromS` to `toS`, seconds since the run start. */
export interface FaultBand { fromS: number; toS: number; label: string; failed: boolean }
/** A moment on the time axis, e.g. one round of worker kills. */
export interface TimeMarker { atS: number; label: string }

export interface FaultMarks { bands: FaultBand[]; markers: TimeMarker[] }

/**
 * The run's clock origin: the metrics' start (epoch ms, the journal's clock too), or the
 * journal's own start when there are no metrics (k6) and a step's atMs places it.
 */
function origin(entry: RunEntry): number | null {
  if (entry.snapshot) return entry.snapshot.startedAt;
  const start = entry.journal ? Date.parse(entry.journal.start) : Number.NaN;
  return Number.isNaN(start) ? null : start;
}

const numberIn = (observation: MethodRecord['applied'], key: string) => {
  const value = observation?.[key];
  return typeof value === 'number' ? value : null;
};

/**
 * Worker kills: task-kill kills once when applied and then every `everyMs` until reverted; its
 * journal records how many rounds ran, so each round sits at start + k × everyMs.
 */
function killMarkers(step: MethodRecord, fromS: number): TimeMarker[] {
  const signal = step.applied?.signal;
  const rounds = numberIn(step.reverted, 'rounds') ?? (numberIn(step.applied, 'kills') !== null ? 1 : null);
  if (typeof signal !== 'string' || rounds === null) return [];
  const everyS = (numberIn(step.applied, 'everyMs') ?? 0) / 1000;
  return Array.from({ length: rounds }, (_, round) => {
    const atS = fromS + round * everyS;
    return { atS, label: `worker kill (${signal}) at ${atS.toFixed(1)} s` };
  });
}

/** The journal's faults as bands on the run's time axis, and its worker kills as markers. */
export function faultMarks(entry: RunEntry): FaultMarks {
  const zero = origin(entry);
  if (!entry.journal || zero === null) return { bands: [], markers: [] };
  const bands: FaultBand[] = [];
  const markers: TimeMarker[] = [];
  for (const step of entry.journal.method) {
    const start = Date.parse(step.start);
    const end = Date.parse(step.end);
    const fromS = (Number.isNaN(start) ? zero + step.atMs : start) - zero;
    const toS = (Number.isNaN(end) ? zero + step.atMs + step.durationMs : end) - zero;
    const band = { fromS: fromS / 1000, toS: Math.max(fromS, toS) / 1000, label: step.fault, failed: step.outcome !== 'succeeded' };
    bands.push(band);
    markers.push(...killMarkers(step, band.fromS));
  }
  return { bands, markers };
}
