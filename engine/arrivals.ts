export type Arrivals =
  | { kind: 'constant'; perSecond: number; durationMs: number }
  | { kind: 'ramping'; startPerSecond: number; stages: Array<{ targetPerSecond: number; durationMs: number }> };

export interface LoadShape {
  arrivals: Arrivals;
  maxConcurrentSessions: number;
  /**
   * Where the offered rate is held and steady (ms from the start): after the ramp and one session
   * length, to the arrivals' end. A shape with a plateau is judged there on offered versus achieved.
   */
  plateau?: { fromMs: number; toMs: number };
  /** How long sessions still running after the arrivals may take to finish (k6's gracefulStop); absent: 30 s. */
  gracefulStopMs?: number;
}

function requireNonNegative(what: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new Error(`${what} must be a finite number ≥ 0, not ${value}`);
}

/** How long the arrivals last, in ms. */
export function arrivalsDurationMs(arrivals: Arrivals): number {
  return arrivals.kind === 'constant' ? arrivals.durationMs : arrivals.stages.reduce((sum, stage) => sum + stage.durationMs, 0);
}

// Areas (expected arrivals) are rate per second × ms / 1000: whole-number inputs stay exact, so
// the arrival that lands on a stage's end is not lost to rounding.
const EPSILON = 1e-9;

function* constant(perSecond: number, durationMs: number): Generator<number> {
  if (perSecond === 0) return;
  // constant-arrival-rate: iteration i starts at i × period from 0, while the duration lasts.
  for (let i = 0; ; i++) {
    const at = (i * 1000) / perSecond;
    if (at >= durationMs) return;
    yield at;
  }
}

function* ramping(startPerSecond: number, stages: Array<{ targetPerSecond: number; durationMs: number }>): Generator<number> {
  // ramping-arrival-rate (k6 lib/executor/ramping_arrival_rate.go, cal): arrival i (from 1) starts
  // when the integral of the rate since the start reaches i; a linear ramp solves a quadratic.
  let from = startPerSecond;
  let stageStart = 0;
  let doneSoFar = 0;
  let endCount = 0;
  let i = 1;
  for (const { targetPerSecond: to, durationMs: duration } of stages) {
    endCount += (duration * (from + to)) / 2 / 1000;
    for (; i <= endCount + EPSILON; i++) {
      const n = i - doneSoFar;
      if (from === to) {
        yield stageStart + (n * 1000) / to;
      } else {
        const slope = (to - from) / duration;
        const root = Math.sqrt(Math.max(0, from * from + 2000 * n * slope));
        yield stageStart + Math.min(duration, (root - from) / slope);
      }
    }
    doneSoFar = endCount;
    from = to;
    stageStart += duration;
  }
}

/**
 * When each session arrives, in ms from the start, spaced as k6's executors space iterations:
 * constant-arrival-rate starts at 0 and every 1/rate; ramping-arrival-rate starts an iteration
 * each time the rate's integral passes a whole number. Deterministic: no randomness.
 */
export function arrivalTimes(arrivals: Arrivals): Iterable<number> {
  if (arrivals.kind === 'constant') {
    requireNonNegative('perSecond', arrivals.perSecond);
    requireNonNegative('durationMs', arrivals.durationMs);
    return constant(arrivals.perSecond, arrivals.durationMs);
  }
  requireNonNegative('startPerSecond', arrivals.startPerSecond);
  for (const [index, stage] of arrivals.stages.entries()) {
    requireNonNegative(`stages[${index}].targetPerSecond`, stage.targetPerSecond);
    requireNonNegative(`stages[${index}].durationMs`, stage.durationMs);
  }
  return ramping(arrivals.startPerSecond, arrivals.stages);
}

export interface ScheduleArrivalsOptions {
  shape: LoadShape;
  /** Runs one session; the slot it holds is free again when the promise settles. */
  start(index: number): Promise<void>;
  /** Stops new arrivals; the sessions already started are awaited (they should watch it too). */
  signal?: AbortSignal;
  /** A monotonic clock in ms; performance.now by default. */
  now?: () => number;
  /** Waits ms or until the signal aborts; a test can make time pass without waiting. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** An arrival that found every slot taken (k6's dropped_iterations); `atMs` is its planned time. */
  onDropped?: (index: number, atMs: number) => void;
  onSessionError?: (index: number, error: unknown) => void;
}

export interface ScheduleArrivalsResult { started: number; dropped: number; failed: number; aborted: boolean }

function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Arrivals already due start back to back, but not so many that sockets and timers starve. */
const DUE_ARRIVALS_BETWEEN_YIELDS = 100;

/**
 * Starts one session per arrival at its time (open model). An arrival that finds
 * maxConcurrentSessions running is dropped, not queued, as k6's arrival-rate executors do.
 * Resolves when the arrivals are over (or the signal aborted) and every started session settled.
 */
export async function scheduleArrivals(options: ScheduleArrivalsOptions): Promise<ScheduleArrivalsResult> {
  const { shape, signal } = options;
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? sleepFor;
  if (!Number.isInteger(shape.maxConcurrentSessions) || shape.maxConcurrentSessions < 1) {
    throw new Error(`maxConcurrentSessions must be a whole number ≥ 1, not ${shape.maxConcurrentSessions}`);
  }
  const running = new Set<Promise<void>>();
  const result: ScheduleArrivalsResult = { started: 0, dropped: 0, failed: 0, aborted: false };
  const origin = now();
  let index = 0;
  let dueInARow = 0;
  for (const atMs of arrivalTimes(shape.arrivals)) {
    const wait = origin + atMs - now();
    if (wait > 0) {
      dueInARow = 0;
      await sleep(wait, signal);
    } else if (++dueInARow % DUE_ARRIVALS_BETWEEN_YIELDS === 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (signal?.aborted) {
      result.aborted = true;
      break;
    }
    const current = index++;
    if (running.size >= shape.maxConcurrentSessions) {
      result.dropped += 1;
      options.onDropped?.(current, atMs);
      continue;
    }
    result.started += 1;
    let session: Promise<void>;
    try {
      session = options.start(current);
    } catch (error) {
      session = Promise.reject(error);
    }
    const tracked: Promise<void> = session.then(
      () => { running.delete(tracked); },
      (error: unknown) => {
        running.delete(tracked);
        result.failed += 1;
        options.onSessionError?.(current, error);
      },
    );
    running.add(tracked);
  }
  await Promise.all(running);
  return result;
}
