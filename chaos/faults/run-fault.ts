import { type Fault, type FaultObservation, FaultRevertError } from './fault.js';

export type FaultEvent =
  | { type: 'applying'; description: string }
  | { type: 'applied'; observation: FaultObservation }
  | { type: 'apply-failed'; error: Error }
  | { type: 'holding'; elapsedMs: number; durationMs: number }
  | { type: 'reverting'; reason: 'elapsed' | 'aborted' | 'failed' }
  | { type: 'reverted'; observation: FaultObservation };

export interface RunFaultOptions {
  /** How long the fault holds once applied. */
  durationMs: number;
  /** Aborting ends the fault early (Ctrl-C); it is still reverted. */
  signal?: AbortSignal;
  onEvent?(event: FaultEvent): void;
  /** A 'holding' event this often while the fault holds. Default 5 s. */
  progressEveryMs?: number;
  /** Apply is given up (and reverted) after this long. Default 60 s. */
  applyTimeoutMs?: number;
  /** A revert still running after this long is a failed revert. Default 5 min. */
  revertTimeoutMs?: number;
}

export interface FaultRun {
  description: string;
  /** Null when the run was aborted before apply finished. */
  applied: FaultObservation | null;
  reverted: FaultObservation;
  /** True when the signal ended the fault before its duration. */
  aborted: boolean;
  heldMs: number;
  startedAt: string;
  endedAt: string;
}

class ApplyInterrupted extends Error {}

/** Settles with `work`, or rejects as soon as `signal` aborts (the work itself carries on). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new ApplyInterrupted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ApplyInterrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The fault's revert, or a FaultRevertError once it has run for `ms`. */
async function revertWithin(fault: Fault, ms: number): Promise<FaultObservation> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new FaultRevertError(fault.description,
      [`its revert did not finish within ${Math.round(ms / 1000)} s, so the fault may still be in effect`])), ms);
  });
  try {
    return await Promise.race([fault.revert(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits `ms` or until `signal` aborts, calling `tick` every `everyMs`; true when it ran to the end. */
function hold(ms: number, signal: AbortSignal, everyMs: number, tick: (elapsedMs: number) => void): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  const started = performance.now();
  return new Promise((resolve) => {
    const progress = setInterval(() => tick(Math.round(performance.now() - started)), everyMs);
    const done = (completed: boolean) => {
      clearInterval(progress);
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(completed);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Applies a fault, holds it for the duration or until the signal aborts, and ALWAYS reverts it:
 * after success, a failed or timed-out apply, and an abort. A failed revert's FaultRevertError
 * is thrown (it outranks the apply error, which is reported as an 'apply-failed' event).
 */
export async function runFaultFor(fault: Fault, options: RunFaultOptions): Promise<FaultRun> {
  const emit = options.onEvent ?? (() => undefined);
  const external = options.signal ?? new AbortController().signal;
  const control = new AbortController();
  const forward = () => control.abort();
  external.addEventListener('abort', forward, { once: true });
  const applyTimeoutMs = options.applyTimeoutMs ?? 60_000;
  const applyTimer = setTimeout(() => control.abort(), applyTimeoutMs);
  const startedAt = new Date().toISOString();
  let applied: FaultObservation | null = null;
  let applyError: Error | null = null;
  let heldMs = 0;
  let completed = false;
  try {
    emit({ type: 'applying', description: fault.description });
    try {
      applied = await untilAborted(fault.apply(control.signal), control.signal);
      emit({ type: 'applied', observation: applied });
    } catch (error) {
      if (!(error instanceof ApplyInterrupted) || !external.aborted) {
        applyError = error instanceof ApplyInterrupted
          ? new Error(`applying "${fault.description}" took longer than ${applyTimeoutMs} ms; it was given up and reverted`)
          : error as Error;
        emit({ type: 'apply-failed', error: applyError });
      }
    } finally {
      clearTimeout(applyTimer);
    }
    if (applied && !applyError) {
      const holdStarted = performance.now();
      completed = await hold(options.durationMs, external, options.progressEveryMs ?? 5_000,
        (elapsedMs) => emit({ type: 'holding', elapsedMs, durationMs: options.durationMs }));
      heldMs = Math.round(performance.now() - holdStarted);
    }
  } finally {
    external.removeEventListener('abort', forward);
    // Stops faults that act over time (a kill rate) before they are reverted.
    control.abort();
  }
  emit({ type: 'reverting', reason: applyError ? 'failed' : completed ? 'elapsed' : 'aborted' });
  const reverted = await revertWithin(fault, options.revertTimeoutMs ?? 300_000);
  emit({ type: 'reverted', observation: reverted });
  if (applyError) throw applyError;
  return { description: fault.description, applied, reverted, aborted: !completed, heldMs, startedAt, endedAt: new Date().toISOString() };
}
