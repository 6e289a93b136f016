/**
 * An incident as code: the load, the sessions, the faults and the gate that together reproduce
 * one production incident from the seeds. Incident files are pure (no node: imports, no runtime
 * imports from chaos/ or stack/ except stack/random.ts) because the k6 scripts bundle them too.
 */
import type { LoadShape } from '../engine/arrivals.js';
import type { SessionFactory } from '../engine/session-plan.js';
import type { ThresholdSpec } from '../engine/thresholds.js';

export const incidentIds = ['steady-1m-day', 'flash-sale', 'long-session', 'long-session-realtime', 'jp-emoji', 'carrier-nat', 'task-kill', 'redis-eviction'] as const;
export type IncidentId = (typeof incidentIds)[number];

/** One fault of the timeline, by its chaos catalogue name (`gameday chaos list`) with its CLI options. */
export interface FaultStep {
  atMs: number;
  durationMs: number;
  fault: string;
  options: Record<string, string | number | boolean>;
}

/** The shape a run uses: the one asked for, else the incident's first (undefined for a one-shape incident). */
export function shapeOf(incident: Incident, asked?: string | null): string | undefined {
  return asked ?? (incident.shapes ? Object.keys(incident.shapes)[0] : undefined);
}

/** The session factory of a shape. */
export function sessionsOf(incident: Incident, shape: string | undefined): SessionFactory {
  return shape !== undefined && incident.sessionsFor ? incident.sessionsFor(shape) : incident.session;
}

/** The faults a timeline names, each once, in order of first appearance. */
export function faultNames(steps: readonly FaultStep[]): string[] {
  return [...new Set(steps.map((step) => step.fault))];
}

/** What the stack must look like for the incident; anything left out is the stack's default. */
export interface IncidentStack {
  redisMaxmemory?: string;
  redisPolicy?: string;
  workers?: number;
  /** The emulator's time scale: 0.2 runs every modelled latency 5x faster. */
  timeScale?: number;
  serviceEnv?: Record<string, string>;
}

export interface Incident {
  id: IncidentId;
  title: string;
  /** The seed file and scenario it reproduces, e.g. "002 Flash Sale Memory Wipe". */
  seed: string;
  description: string;
  /** The service/config.ts naive switch that brings the incident's bug back (null: no bug, only load). */
  naiveSwitch: string | null;
  /** How time is compressed and which ratios are kept. */
  timeCompression: string;
  stack: IncidentStack;
  /** The default of --duration: the arrival window. Sessions that start in it run to their end. */
  defaultDurationMs: number;
  /**
   * The load at a scale over a duration, in one of `shapes` (the first when absent). A shape with
   * a plateau says where on it (LoadShape.plateau), and there offered and achieved are compared.
   */
  load(scale: number, durationMs: number, shape?: string): LoadShape;
  /** Named load shapes (`--shape`) and what each is, the first the default; absent: one shape. */
  shapes?: Readonly<Record<string, string>>;
  session: SessionFactory;
  /** The sessions of a shape, where a shape changes them too; `session` otherwise. */
  sessionsFor?(shape: string): SessionFactory;
  /** `run all --suite nightly`: by default quickScale, ten times defaultDurationMs, the default shape. */
  nightly?: { scale?: number; durationMs?: number; shape?: string };
  faults(scale: number, durationMs: number): FaultStep[];
  /**
   * The gate, in k6 threshold syntax; latency thresholds in real-time ms, judged at the model's
   * time scale by engine/latency-scale.ts.
   */
  thresholds: Record<string, ThresholdSpec[]>;
  /** Where latency is judged at real time when this incident's time scale is too small to judge it. */
  realTimeLane?: string;
  /**
   * Metrics every threshold of which the naive run (naiveSwitch alone) fails at quickScale and
   * defaultDurationMs; for steady-1m-day, the run with the model slowed past the SLO.
   */
  gateThatMatters: string[];
  /** The scale `npm run gameday` and the proof tests run at, with defaultDurationMs. */
  quickScale: number;
  /**
   * Where the proof tests, two lanes side by side on one machine, run lighter than the quick
   * run: steady-1m-day's quick plateau is the mission's whole rate for 2 minutes.
   */
  proof?: { scale?: number; durationMs?: number };
}
