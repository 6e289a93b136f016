import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { timersCompat } from '../scripts/k6-timers-compat.mjs';
import { type Cores, type FakeServer, rssBytes, spawnChild } from './engine-children.js';
import { scheduledMessages } from './engine-workload.js';
import { coreBusyMs, processCpuMs } from '../stack/process-cpu.js';

/** What a real k6 did in one row, measured from outside (k6 has no idle baseline to read). */
export interface K6Outcome {
  messages: number;
  scheduled: number;
  cpuMs: number;
  ttft: { p50: number; p95: number; count: number };
  errors: number;
  peakRss: number;
  othersOnCoreMs: number | null;
}


/** Bundles engine-k6-script.ts into `dir` (a temporary folder, never the repo); returns the bundle's path. */
export async function bundleK6Script(dir: string): Promise<string> {
  const outfile = join(dir, 'engine-k6.js');
  await build({
    entryPoints: [new URL('./engine-k6-script.ts', import.meta.url).pathname],
    outfile, bundle: true, format: 'cjs', target: 'es2020', platform: 'neutral',
    external: ['k6', 'k6/*'], plugins: [timersCompat], logLevel: 'error',
  });
  return outfile;
}

export async function k6Version(k6: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await promisify(execFile)(k6, ['version'], { env, timeout: 10_000 });
  return stdout.trim().split('\n')[0] ?? 'k6';
}

export interface K6RowOptions {
  k6: string;
  env: NodeJS.ProcessEnv;
  script: string;
  dir: string;
  server: FakeServer;
  sessions: number;
  durationMs: number;
  cores: Cores;
  /** The one core `cores` names, to tell what other processes took from it; null when unpinned. */
  core: number | null;
  taskset: string | null;
  /** k6 initialises every VU before the first iteration: thousands take a while. */
  timeoutMs: number;
}

const sampleEveryMs = 100;

/**
 * One row with real k6: CPU from the first session the fake saw until the run's length later
 * (the same window as ours), peak RSS over the whole process, the rest from the summary.
 */
export async function runK6Row(options: K6RowOptions): Promise<K6Outcome> {
  const summaryPath = join(options.dir, `summary-${options.sessions}.json`);
  const settings = {
    BENCH_HTTP: options.server.http, BENCH_WS: options.server.ws, BENCH_SESSIONS: String(options.sessions),
    BENCH_DURATION_MS: String(options.durationMs), BENCH_SUMMARY_PATH: summaryPath,
  };
  const args = ['run', '--quiet', '--no-color', '--no-usage-report', ...Object.entries(settings).flatMap(([key, value]) => ['-e', `${key}=${value}`]), options.script];
  const spawned = spawnChild(options.k6, args, { cores: options.cores, taskset: options.taskset, env: options.env, stderr: 'pipe' });
  const coreBusy = () => (options.core === null ? null : coreBusyMs(options.core));
  const measured: {
    peakRss: number; cpuMs: number | null; coreMs: number | null;
    window: { startCpuMs: number; startCoreMs: number | null; endsAt: number } | null;
  } = { peakRss: 0, cpuMs: null, coreMs: null, window: null };
  void options.server.firstSession.then(() => {
    measured.window = { startCpuMs: processCpuMs(spawned.pid) ?? 0, startCoreMs: coreBusy(), endsAt: Date.now() + options.durationMs };
  });
  const sampler = setInterval(() => {
    measured.peakRss = Math.max(measured.peakRss, rssBytes(spawned.pid) ?? 0);
    const cpu = processCpuMs(spawned.pid);
    const { window } = measured;
    if (window !== null && cpu !== null && (measured.cpuMs === null || Date.now() <= window.endsAt)) {
      measured.cpuMs = cpu - window.startCpuMs;
      const core = coreBusy();
      measured.coreMs = core === null || window.startCoreMs === null ? null : core - window.startCoreMs;
    }
  }, sampleEveryMs);
  const timer = setTimeout(() => void spawned.stop(), options.timeoutMs);
  try {
    const [code, signal] = (await once(spawned.child, 'exit')) as [number | null, NodeJS.Signals | null];
    const summary = await readFile(summaryPath, 'utf8').catch(() => null);
    const { cpuMs, coreMs, peakRss } = measured;
    if (summary === null || cpuMs === null) throw new Error(`k6 ended (${code ?? signal}) without a summary or before any session:\n${spawned.output()}`);
    const figures = JSON.parse(summary) as { messages: number; ttftP50: number | null; ttftP95: number | null; ttftCount: number; errors: number };
    return {
      messages: figures.messages, scheduled: scheduledMessages(options.sessions, options.durationMs), cpuMs,
      ttft: { p50: figures.ttftP50 ?? Number.NaN, p95: figures.ttftP95 ?? Number.NaN, count: figures.ttftCount },
      errors: figures.errors, peakRss, othersOnCoreMs: coreMs === null ? null : Math.max(0, coreMs - cpuMs),
    };
  } finally {
    clearInterval(sampler);
    clearTimeout(timer);
    await spawned.stop();
  }
}
