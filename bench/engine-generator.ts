/**
 * The built-in engine as the generator of bench/engine.ts, in a process of its own (pinned to
 * one core by the bench when taskset exists): runLoad with RunMetrics(chatMetrics) and the
 * progress line, on the reference workload (engine-workload.ts), against the fake chat server.
 *
 *   taskset -c 1 node --expose-gc --import tsx bench/engine-generator.ts \
 *     '{"http":…,"ws":…,"sessions":1000,"durationMs":60000,"label":"ours 1,000 sessions","core":1}'
 *
 * Memory is read after a full GC twice: idle (everything imported, nothing open) and at the
 * end of the run with every session still open; CPU covers the run window only (not the
 * TypeScript loading, not the teardown). Prints one JSON line (GeneratorOutcome) on stdout.
 */
import { createProgress } from '../engine/progress.js';
import { chatMetrics, RunMetrics } from '../engine/metrics/run-metrics.js';
import type { CounterValues, RateValues, TrendValues } from '../engine/metrics/snapshot.js';
import { runLoad } from '../engine/run-load.js';
import type { ClientProfile, SessionFactory, TurnPlan } from '../engine/session-plan.js';
import { arrivalMs, arrivalsPerSecond, firstThinkMs, messageText, scheduledBetween, scheduledMessages, thinkMs, turnsPerSession } from './engine-workload.js';
import { coreBusyMs } from '../stack/process-cpu.js';

export interface GeneratorSettings {
  http: string;
  ws: string;
  sessions: number;
  durationMs: number;
  label: string;
  /** The core this process is pinned to, or null when it is not. */
  core: number | null;
}

export interface MemoryReading { rss: number; heapUsed: number }

export interface GeneratorOutcome {
  sessions: number;
  messages: number;
  scheduled: number;
  /** Sent / scheduled in the whole 10-s windows after every session opened and thought once; null when the run has none. */
  steadyPace: number | null;
  cpuMs: number;
  wallMs: number;
  ttft: { p50: number; p95: number; count: number };
  /** Send to done; the fake streams for 200 ms of it. */
  turnDuration: { p50: number; p95: number };
  errors: number;
  errorExamples: string[];
  idle: MemoryReading;
  open: MemoryReading;
  peakRss: number;
  /** What other processes used of this process's core during the run, or null when unpinned. */
  othersOnCoreMs: number | null;
  eventLoopP99Ms: number;
  saturated: boolean;
}

const collect = globalThis.gc;
if (!collect) throw new Error('engine-generator.ts needs node --expose-gc');
const settings = JSON.parse(process.argv[2] ?? '{}') as GeneratorSettings;

const profile: ClientProfile = { kind: 'desktop', via: 'direct', answersServerPings: true, reconnect: null, turnTimeoutMs: 20_000 };
const laterTurns: TurnPlan[] = Array.from({ length: turnsPerSession(settings.durationMs) - 1 }, () => ({ text: messageText, thinkBeforeMs: thinkMs, expect: 'answer' }));
const sessions: SessionFactory = (index) => ({
  client: profile,
  customerId: `bench-${index}`,
  turns: [{ text: messageText, thinkBeforeMs: firstThinkMs(index), expect: 'answer' }, ...laterTurns],
});

function memory(): MemoryReading {
  collect?.();
  collect?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

const stop = new AbortController();
// Ctrl-C reaches the whole process group; a bench that died closes our stdin.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
process.stdin.on('close', () => stop.abort());
process.stdin.resume();

const metrics = new RunMetrics(chatMetrics);
const idle = memory();
const progress = createProgress({ tty: process.stderr.isTTY === true, write: (text) => process.stderr.write(text) });
let peakRss = idle.rss;
const rssSampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 1_000);

const measured: { end?: { open: MemoryReading; cpu: NodeJS.CpuUsage; wallMs: number; messages: number; coreBusyMs: number | null } } = {};
const coreAtStart = settings.core === null ? null : coreBusyMs(settings.core);
const cpuAtStart = process.cpuUsage();
const startedAt = performance.now();
// The measurement ends with every session still open; aborting then closes them all.
const endOfRun = setTimeout(() => {
  const messages = metrics.stat('chat_messages', 'count') ?? 0;
  const cpu = process.cpuUsage(cpuAtStart);
  const wallMs = performance.now() - startedAt;
  const core = settings.core === null || coreAtStart === null ? null : (coreBusyMs(settings.core) ?? coreAtStart) - coreAtStart;
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  measured.end = { open: memory(), cpu, wallMs, messages, coreBusyMs: core };
  stop.abort();
}, settings.durationMs);

const result = await runLoad({
  target: { http: settings.http, ws: settings.ws },
  shape: {
    arrivals: { kind: 'constant', perSecond: arrivalsPerSecond, durationMs: (settings.sessions * 1_000) / arrivalsPerSecond },
    // Above the count: no arrival is ever dropped, every session stays open for the whole run.
    maxConcurrentSessions: settings.sessions * 2,
  },
  sessions,
  seed: 1,
  metrics,
  signal: stop.signal,
  gracefulStopMs: settings.durationMs + 30_000,
  onProgress: (state) => progress.update({ ...state, label: settings.label, totalMs: settings.durationMs }),
});
clearTimeout(endOfRun);
clearInterval(rssSampler);
progress.done();
/** Pace once the ramp is over: opening sessions (a POST and a handshake each, on a cold JIT) is not what the rest of the run asks. */
function steadyPace(windows: ReadonlyArray<CounterValues & { index: number }>): number | null {
  const { windowMs } = metrics;
  const first = Math.ceil((arrivalMs(settings.sessions) + thinkMs) / windowMs);
  const end = Math.floor(settings.durationMs / windowMs);
  if (first >= end) return null;
  const sent = windows.filter((window) => window.index >= first && window.index < end).reduce((sum, window) => sum + window.sum, 0);
  const scheduled = scheduledBetween(settings.sessions, first * windowMs, end * windowMs);
  return scheduled > 0 ? sent / scheduled : null;
}

const run = measured.end;
if (run === undefined) {
  process.stderr.write('the generator was stopped before the end of its run\n');
  process.exit(130);
}
const snapshot = metrics.snapshot();
const ttftValues = snapshot.metrics.chat_ttft?.total as TrendValues;
const outcome: GeneratorOutcome = {
  sessions: settings.sessions,
  messages: run.messages,
  scheduled: scheduledMessages(settings.sessions, settings.durationMs),
  steadyPace: steadyPace(snapshot.metrics.chat_messages?.windows as Array<CounterValues & { index: number }>),
  cpuMs: (run.cpu.user + run.cpu.system) / 1_000,
  wallMs: run.wallMs,
  ttft: { p50: metrics.stat('chat_ttft', 'med') ?? Number.NaN, p95: metrics.stat('chat_ttft', 'p(95)') ?? Number.NaN, count: ttftValues.count },
  turnDuration: { p50: metrics.stat('chat_turn_duration', 'med') ?? Number.NaN, p95: metrics.stat('chat_turn_duration', 'p(95)') ?? Number.NaN },
  errors: (snapshot.metrics.chat_errors?.total as RateValues).hits,
  errorExamples: result.errorExamples.slice(0, 3),
  idle,
  open: run.open,
  peakRss,
  othersOnCoreMs: run.coreBusyMs === null ? null : Math.max(0, run.coreBusyMs - (run.cpu.user + run.cpu.system) / 1_000),
  eventLoopP99Ms: result.generator.eventLoopP99Ms,
  saturated: result.generator.saturated,
};
process.stdout.write(`${JSON.stringify(outcome)}\n`);
process.exit(0);
