/**
 * `gameday run --suite quick|nightly`: what each incident runs at. quick is what `npm run gameday`
 * runs, each incident at its quick scale for its own duration; nightly holds each about ten times
 * longer (Incident.nightly: its own scale, duration and shape where it names them) and judges the
 * workers' resident memory (the leak gate). What the command line sets (--scale, --duration,
 * --shape) wins over the suite for every incident it runs, one or all.
 */
import { type Incident, shapeOf } from '../incident.js';

export const suites = ['quick', 'nightly'] as const;
export type Suite = (typeof suites)[number];

/** A nightly run holds an incident this many times its quick duration, unless the incident says otherwise. */
export const nightlyDurationFactor = 10;

/** What the command line asked for; null: the suite's choice. */
export interface SuiteOverrides {
  scale?: number | null;
  durationMs?: number | null;
  shape?: string | null;
}

export interface IncidentSettings {
  scale: number;
  durationMs: number;
  /** undefined: the incident has one shape. */
  shape: string | undefined;
  /** Judge each worker's resident memory over the run after warm-up (scenarios/run/worker-memory.ts). */
  leakGate: boolean;
}

/** Pure: one incident's settings in a suite. */
export function suiteSettings(incident: Incident, suite: Suite, overrides: SuiteOverrides = {}): IncidentSettings {
  const nightly = suite === 'nightly' ? incident.nightly ?? {} : null;
  return {
    scale: overrides.scale ?? nightly?.scale ?? incident.quickScale,
    durationMs: overrides.durationMs ?? nightly?.durationMs ?? incident.defaultDurationMs * (nightly ? nightlyDurationFactor : 1),
    shape: shapeOf(incident, overrides.shape ?? nightly?.shape),
    leakGate: nightly !== null,
  };
}
