import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FaultObservation } from '../faults/fault.js';
import type { Tolerance } from './experiment.js';

export type Outcome = 'succeeded' | 'failed' | 'aborted';

export interface JournalStep {
  name: string;
  /** ISO times. */
  start: string;
  end: string;
  outcome: Outcome;
  error: string | null;
}

export interface ProbeRecord extends JournalStep {
  value: number | boolean | null;
  tolerance: Tolerance;
  within: boolean;
}

export interface SteadyStateRecord {
  met: boolean;
  probes: ProbeRecord[];
}

export interface MethodRecord extends JournalStep {
  fault: string;
  atMs: number;
  durationMs: number;
  applied: FaultObservation | null;
  reverted: FaultObservation | null;
}

export interface Journal {
  title: string;
  description: string | null;
  /** completed: every step ran (the hypothesis may still have deviated); failed: a step or rollback failed. */
  status: 'completed' | 'failed' | 'aborted';
  /** The steady state held before the method and not after it. */
  deviated: boolean;
  start: string;
  end: string;
  durationMs: number;
  steadyStateBefore: SteadyStateRecord | null;
  steadyStateAfter: SteadyStateRecord | null;
  method: MethodRecord[];
  rollbacks: JournalStep[];
  error: string | null;
}

export function writeJournal(path: string, journal: Journal): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(journal, null, 2)}\n`);
}

/** k6's convention, as the CLI uses it: 0 held, 99 the hypothesis deviated, 1 the experiment itself failed or was aborted. */
export function journalExitCode(journal: Journal): number {
  if (journal.status !== 'completed') return 1;
  return journal.deviated ? 99 : 0;
}
