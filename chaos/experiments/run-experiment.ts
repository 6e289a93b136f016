import { setTimeout as sleep } from 'node:timers/promises';
import { runFaultFor } from '../faults/run-fault.js';
import { type Experiment, type MethodStep, type Probe, withinTolerance } from './experiment.js';
import { type Journal, type JournalStep, type MethodRecord, type ProbeRecord, type SteadyStateRecord, writeJournal } from './journal.js';

export interface RunExperimentOptions {
  /** Aborting (Ctrl-C) reverts every fault now, skips what is left of the method, and still runs the rollbacks. */
  signal?: AbortSignal;
  /** The clock for the journal's times; tests may fix it. */
  now?: () => Date;
  /** Where the journal is written as JSON (it is returned either way). */
  journalPath?: string;
  /** A probe still measuring after this long fails. Default 30 s. */
  probeTimeoutMs?: number;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

function timeout(ms: number, what: string): { promise: Promise<never>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

async function runProbe(probe: Probe, now: () => Date, timeoutMs: number): Promise<ProbeRecord> {
  const start = now().toISOString();
  const limit = timeout(timeoutMs, `probe "${probe.name}"`);
  try {
    const value = await Promise.race([probe.measure(), limit.promise]);
    return { name: probe.name, start, end: now().toISOString(), outcome: 'succeeded', error: null, value, tolerance: probe.tolerance, within: withinTolerance(value, probe.tolerance) };
  } catch (error) {
    return { name: probe.name, start, end: now().toISOString(), outcome: 'failed', error: message(error), value: null, tolerance: probe.tolerance, within: false };
  } finally {
    limit.cancel();
  }
}

async function steadyState(probes: Probe[], now: () => Date, timeoutMs: number): Promise<SteadyStateRecord> {
  const records: ProbeRecord[] = [];
  for (const probe of probes) records.push(await runProbe(probe, now, timeoutMs));
  return { met: records.every((record) => record.within), probes: records };
}

/** One step on the timeline: waits for its time, then holds its fault for its duration; never throws. */
async function runStep(step: MethodStep, signal: AbortSignal, now: () => Date, onFailure: () => void): Promise<MethodRecord> {
  const base = { name: step.name, fault: step.fault.description, atMs: step.atMs, durationMs: step.durationMs };
  await sleep(step.atMs, undefined, { signal }).catch(() => undefined);
  const start = now().toISOString();
  if (signal.aborted) {
    // Never applied; revert anyway, as the contract allows, so nothing can be left half done.
    const reverted = await step.fault.revert().catch(() => null);
    return { ...base, start, end: now().toISOString(), outcome: 'aborted', error: 'not started: the method was stopped', applied: null, reverted };
  }
  try {
    const run = await runFaultFor(step.fault, { durationMs: step.durationMs, signal });
    return { ...base, start, end: now().toISOString(), outcome: run.aborted ? 'aborted' : 'succeeded', error: null, applied: run.applied, reverted: run.reverted };
  } catch (error) {
    onFailure();
    return { ...base, start, end: now().toISOString(), outcome: 'failed', error: message(error), applied: null, reverted: null };
  }
}

/**
 * Runs an experiment: steady state before, the method (faults on a timeline, each reverted at
 * the end of its duration, all reverted at once when a step fails or on abort), steady state
 * after, then the rollbacks, which always run. Returns the journal (and writes it if asked).
 */
export async function runExperiment(experiment: Experiment, options: RunExperimentOptions = {}): Promise<Journal> {
  const now = options.now ?? (() => new Date());
  const external = options.signal ?? new AbortController().signal;
  const probeTimeoutMs = options.probeTimeoutMs ?? 30_000;
  const started = performance.now();
  const start = now().toISOString();
  const errors: string[] = [];
  let steadyStateAfter: SteadyStateRecord | null = null;
  let method: MethodRecord[] = [];

  const steadyStateBefore = await steadyState(experiment.steadyState.probes, now, probeTimeoutMs);
  if (!steadyStateBefore.met) errors.push('the steady state did not hold before the method, so the method was not run');
  else {
    const stopMethod = new AbortController();
    const forward = () => stopMethod.abort();
    external.addEventListener('abort', forward, { once: true });
    if (external.aborted) stopMethod.abort();
    try {
      method = await Promise.all(experiment.method.map((step) => runStep(step, stopMethod.signal, now, () => stopMethod.abort())));
    } finally {
      external.removeEventListener('abort', forward);
    }
    for (const step of method) if (step.outcome === 'failed') errors.push(`method step "${step.name}" failed: ${step.error}`);
    if (!external.aborted) steadyStateAfter = await steadyState(experiment.steadyState.probes, now, probeTimeoutMs);
  }

  const rollbacks: JournalStep[] = [];
  for (const rollback of experiment.rollbacks) {
    const rollbackStart = now().toISOString();
    try {
      await rollback.run();
      rollbacks.push({ name: rollback.name, start: rollbackStart, end: now().toISOString(), outcome: 'succeeded', error: null });
    } catch (error) {
      rollbacks.push({ name: rollback.name, start: rollbackStart, end: now().toISOString(), outcome: 'failed', error: message(error) });
      errors.push(`rollback "${rollback.name}" failed: ${message(error)}`);
    }
  }

  const journal: Journal = {
    title: experiment.title,
    description: experiment.description ?? null,
    status: external.aborted ? 'aborted' : errors.length > 0 ? 'failed' : 'completed',
    deviated: steadyStateAfter !== null && !steadyStateAfter.met,
    start,
    end: now().toISOString(),
    durationMs: Math.round(performance.now() - started),
    steadyStateBefore,
    steadyStateAfter,
    method,
    rollbacks,
    error: errors.length > 0 ? errors.join('; ') : external.aborted ? 'aborted' : null,
  };
  if (options.journalPath) writeJournal(options.journalPath, journal);
  return journal;
}
