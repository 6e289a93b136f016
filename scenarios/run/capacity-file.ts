/** capacity.json: what `gameday capacity` writes into its run folder, and what the report and compare read. */
import type { Bracket, capacityGates } from './capacity-judge.js';
import type { PlanStats, StepResult } from './capacity-step.js';
import type { ProcessCpu } from './stack-cpu.js';

export const CAPACITY_FORMAT = 'gameday-capacity/1';
export const capacityFileName = 'capacity.json';

/** Emulator quotas a run lowered (requests per minute per model family); absent: the defaults. */
export interface QuotaOverrides { sonnetRpm?: number; haikuRpm?: number }

export interface CapacitySettings extends PlanStats {
  /** The offered message rates the search would run, in order (it stops at the first that does not hold). */
  rates: number[];
  holdMs: number;
  warmupMs: number;
  windowMs: number;
  /** The stack's service workers; null against a --target. */
  workers: number | null;
  quotas: QuotaOverrides;
  /** The model runs at its real speed: latencies are real-time, so the 3 s gate means 3 s. */
  timeScale: 1;
}

/** A step as capacity.json keeps it: its summary.json relative to the run folder. */
export type CapacityStep = Omit<StepResult, 'summaryPath'> & { summary: string };

export interface CapacityFile {
  format: typeof CAPACITY_FORMAT;
  runId: string;
  incident: string;
  title: string;
  /** "embedded stack", or the --target URL. */
  target: string;
  seed: number;
  /** Epoch ms. */
  startedAt: number;
  endedAt: number;
  /** False while it runs (the file is rewritten after each step) or when it was cut short. */
  finished: boolean;
  settings: CapacitySettings;
  gates: typeof capacityGates;
  steps: CapacityStep[];
  bracket: Bracket & {
    /** The busiest process of the step that ended the search (broke or generator-bound), and that step's rate. */
    busiest: (ProcessCpu & { rate: number }) | null;
  };
  /** What a reader needs to weigh the numbers (what shares the generator's process, what the run left out). */
  notes: string[];
}
