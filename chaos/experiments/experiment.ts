import type { Fault } from '../faults/fault.js';

/**
 * Chaos Toolkit's model: a steady-state hypothesis (probes with tolerances) checked before and
 * after a method (faults on a timeline), and rollbacks that always run. Probes are plain
 * functions: chaos knows no load, a scenario hands in what to measure.
 */

/** Exactly this value, or a closed range (either end may be left open). */
export type Tolerance = boolean | number | { min?: number; max?: number };

export interface Probe {
  name: string;
  measure(): Promise<number | boolean>;
  tolerance: Tolerance;
}

export interface MethodStep {
  name: string;
  /** When the fault is applied, from the start of the method. */
  atMs: number;
  /** How long it holds before it is reverted. */
  durationMs: number;
  fault: Fault;
}

export interface Rollback {
  name: string;
  run(): Promise<unknown>;
}

export interface Experiment {
  title: string;
  description?: string;
  steadyState: { probes: Probe[] };
  method: MethodStep[];
  rollbacks: Rollback[];
}

export function withinTolerance(value: number | boolean, tolerance: Tolerance): boolean {
  if (typeof tolerance === 'boolean' || typeof tolerance === 'number') return value === tolerance;
  if (typeof value !== 'number' || Number.isNaN(value)) return false;
  return (tolerance.min === undefined || value >= tolerance.min) && (tolerance.max === undefined || value <= tolerance.max);
}
