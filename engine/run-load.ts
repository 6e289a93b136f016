import { setMaxListeners } from 'node:events';
import { arrivalsDurationMs, type LoadShape, scheduleArrivals } from './arrivals.js';
import type { MetricSink, RunMetrics } from './metrics/run-metrics.js';
import { sessionRandom } from './offered-load.js';
import type { ProgressState } from './progress.js';
import { startSelfMonitor, type GeneratorHealth } from './self-monitor.js';
import type { LoadTarget, SessionFactory, SessionRecord } from './session-plan.js';
import { runSession, socketBaseFor } from './session-runner.js';

export type { LoadTarget, SessionRecord } from './session-plan.js';

export interface RunLoadOptions {
  target: LoadTarget;
  shape: LoadShape;
  sessions: SessionFactory;
  seed: number;
  metrics: RunMetrics;
  /** Stops new arrivals and ends the sessions in flight at once (Ctrl-C, an aborting threshold). */
  signal?: AbortSignal;
  onProgress?: (line: ProgressState) => void;
  /** After the arrivals' duration, how long sessions still running may finish (k6's gracefulStop); 30 s by default. */
  gracefulStopMs?: number;
}

export interface LoadResult {
  /** Every session that was created, in arrival order. */
  sessions: SessionRecord[];
  /** Epoch ms. */
  startedAt: number;
  endedAt: number;
  generator: GeneratorHealth;
  /** Arrivals that found maxConcurrentSessions running (also counted as dropped_iterations). */
  dropped: number;
  /** Why sessions ended early, the first few, for people reading a failed run. */
  errorExamples: string[];
}

const progressIntervalMs = 250;
/** ws_open_sockets is sampled, not counted per change: a thousand sockets opening in a burst is one value a second. */
const socketSampleIntervalMs = 1_000;
const maxErrorExamples = 20;

/** Counts what the progress line shows without reading the histograms back on every sample. */
class CountingSink implements MetricSink {
  errors = 0;
  messages = 0;
  ttftSamples = 0;
  constructor(private readonly inner: MetricSink) {}
  add(name: string, value: number, at?: number): void {
    if (name === 'chat_messages') this.messages += value;
    else if (name === 'chat_ttft') this.ttftSamples += 1;
    this.inner.add(name, value, at);
  }
  rate(name: string, hit: boolean, at?: number): void {
    if (hit && name === 'chat_errors') this.errors += 1;
    this.inner.rate(name, hit, at);
  }
}

/**
 * The built-in engine's run: sessions arrive as the shape says (open model, a cap on concurrent
 * sessions, arrivals over the cap dropped), each plays its plan in a closed loop, and the
 * generator watches its own event loop and CPU so saturated numbers are never silently reported.
 */
export async function runLoad(options: RunLoadOptions): Promise<LoadResult> {
  const { target, shape, metrics } = options;
  const totalMs = arrivalsDurationMs(shape.arrivals);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // Not AbortSignal.timeout: AbortSignal.any holds its sources weakly on Node 20, so a timeout
  // signal nothing else keeps is garbage-collected and never fires (sessions then ran past
  // gracefulStop). A timer of our own, cleared at the end, cuts them.
  const graceful = new AbortController();
  const gracefulTimer = setTimeout(() => graceful.abort(), totalMs + (options.gracefulStopMs ?? 30_000));
  const sessionsSignal = AbortSignal.any([stop.signal, graceful.signal]);
  // Every open session listens for the stop: thousands of listeners are expected, not a leak.
  setMaxListeners(0, sessionsSignal);
  const sink = new CountingSink(metrics);
  const records: SessionRecord[] = [];
  const errorExamples: string[] = [];
  let fatal: unknown = null;
  let active = 0;
  let started = 0;
  let dropped = 0;

  const monitor = startSelfMonitor();
  const startedAt = Date.now();
  const clockStart = performance.now();
  const report = () => options.onProgress?.({
    elapsedMs: performance.now() - clockStart, totalMs, sessionsActive: active, sessionsStarted: started, sessionsDropped: dropped,
    messages: sink.messages, errors: sink.errors, ttftP95Ms: sink.ttftSamples > 0 ? metrics.stat('chat_ttft', 'p(95)') : null,
  });
  const ticker = options.onProgress ? setInterval(report, progressIntervalMs) : null;
  const sockets = { open: 0 };
  const sampleSockets = () => metrics.add('ws_open_sockets', sockets.open);
  const socketSampler = setInterval(sampleSockets, socketSampleIntervalMs);

  const start = async (index: number) => {
    const plan = options.sessions(index, sessionRandom(options.seed, index, 'plan'));
    // A plan the target cannot serve is the harness's mistake: the run stops and says so.
    socketBaseFor(target, plan);
    started += 1;
    active += 1;
    try {
      const outcome = await runSession({ target, plan, metrics: sink, random: sessionRandom(options.seed, index, 'client'), signal: sessionsSignal, sockets });
      if (outcome.record) records[index] = outcome.record;
      if (outcome.error && errorExamples.length < maxErrorExamples) errorExamples.push(`session ${index}: ${outcome.error}`);
    } finally {
      active -= 1;
    }
  };

  try {
    await scheduleArrivals({
      shape, start, signal: stop.signal,
      onDropped: () => {
        dropped += 1;
        metrics.add('dropped_iterations', 1);
      },
      onSessionError: (_index, error) => {
        fatal ??= error;
        stop.abort();
      },
    });
  } finally {
    clearTimeout(gracefulTimer);
    if (ticker) clearInterval(ticker);
    clearInterval(socketSampler);
    sampleSockets();
    options.signal?.removeEventListener('abort', onAbort);
  }
  const generator = monitor.stop();
  report();
  if (fatal !== null) throw fatal instanceof Error ? fatal : new Error(String(fatal));
  return { sessions: records.filter(Boolean), startedAt, endedAt: Date.now(), generator, dropped, errorExamples };
}
