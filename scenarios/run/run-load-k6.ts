import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadRun, LoadRunOptions } from './run-load-builtin.js';
import { runErrors } from './run-errors.js';
import { sessionsOf } from '../incident.js';
import { plateauMessagesMetric } from '../k6/lib/plateau-count.js';
import type { OfferedVersusAchieved } from '../../engine/load-evidence.js';
import { chatMetrics, RunMetrics } from '../../engine/metrics/run-metrics.js';
import { offeredMessagesBetween, offeredMessagesPerWindow, plateauWindows } from '../../engine/offered-load.js';
import { fromK6Summary } from '../../engine/summary.js';
import { evaluateThresholds, type ThresholdResult, type ThresholdSpec } from '../../engine/thresholds.js';
import { logTail } from '../../stack/managed-process.js';

/** Where `npm run build:k6` writes one bundled script per incident. */
export const defaultK6ScriptDir = fileURLToPath(new URL('../k6/dist/', import.meta.url));

export interface K6LoadOptions extends LoadRunOptions {
  profile: string;
  runDir: string;
  scriptDir?: string;
  /** The environment k6 runs in; its PATH is where k6 is looked for. */
  childEnv: NodeJS.ProcessEnv;
}

/** The version line of the k6 on PATH; a RunError saying how to get it when there is none. */
export function k6Version(env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('k6', ['version'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? runErrors.k6NotFound() : error));
    child.once('close', (code) => (code === 0 ? resolve(output.trim()) : reject(runErrors.k6NotFound())));
  });
}

/** Runs k6 to its end; k6's own exit code 99 (a threshold failed) is a result, anything else but 0 a failure. */
function runK6(args: string[], env: NodeJS.ProcessEnv, logPath: string, signal: AbortSignal): Promise<void> {
  const log = openSync(logPath, 'a');
  const child = spawn('k6', args, { env, stdio: ['ignore', log, log] });
  closeSync(log);
  // k6 ends the test on SIGINT and still writes its summary.
  const stop = () => child.kill('SIGINT');
  signal.addEventListener('abort', stop, { once: true });
  return new Promise<void>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? runErrors.k6NotFound() : error));
    child.once('close', (code, killedBy) => {
      signal.removeEventListener('abort', stop);
      if (code === 0 || code === 99 || signal.aborted) resolve();
      else reject(runErrors.k6Failed(`exit ${killedBy ?? code}${logTail(logPath) ? `; last lines:\n${logTail(logPath)}` : ''}`, logPath));
    });
  });
}

function only(thresholds: Record<string, ThresholdSpec[]>, metrics: string[]): Record<string, ThresholdSpec[]> {
  return Object.fromEntries(Object.entries(thresholds).filter(([metric]) => metrics.includes(metric)));
}

const expressionOf = (spec: ThresholdSpec) => (typeof spec === 'string' ? spec : spec.threshold);
/** k6 judges a threshold over the whole run (k6 #1136): what the built-in engine checks per window or over the plateau, k6 judges once. */
export const k6WholeRunNote = 'judged by k6 over the whole run: the per-window and plateau checks are the built-in engine\'s';

/**
 * k6 has no per-window counts: the offered windows come from the plan, and what was achieved on
 * the plateau from the script's own counter (messages sent or turned away while on it).
 */
function plateauFromK6(options: K6LoadOptions, raw: unknown): OfferedVersusAchieved {
  const windowMs = 10_000;
  const shape = options.incident.load(options.scale, options.durationMs, options.shape);
  const sessions = sessionsOf(options.incident, options.shape);
  const offered = offeredMessagesPerWindow(shape, sessions, options.seed, windowMs);
  const whole = shape.plateau ? plateauWindows(shape.plateau, windowMs) : null;
  const counted = (raw as { metrics?: Record<string, { values?: { count?: number } }> }).metrics?.[plateauMessagesMetric]?.values?.count ?? 0;
  // The script counts from the plateau's start to its end, so the plan is summed over the same span.
  const plateauOffered = shape.plateau ? offeredMessagesBetween(shape, sessions, options.seed, shape.plateau.fromMs, shape.plateau.toMs) : 0;
  return {
    windowMs, offered, achieved: [],
    plateau: shape.plateau && whole ? { ...shape.plateau, firstWindow: whole.first, lastWindow: whole.last } : null,
    plateauOffered, plateauAchieved: counted,
  };
}

/**
 * The incident's load through the k6 on PATH, on its bundled script (same definitions, metric
 * names and thresholds); its handleSummary JSON is normalised into our summary, so the gates
 * and reports are the same. k6 judges what it measured; counters measured after the load (the
 * audit's) are judged here.
 */
export async function runK6Load(options: K6LoadOptions): Promise<LoadRun> {
  await k6Version(options.childEnv);
  const script = join(options.scriptDir ?? defaultK6ScriptDir, `${options.incident.id}.js`);
  if (!existsSync(script)) throw runErrors.k6ScriptMissing(script);
  const summaryPath = join(options.runDir, 'k6-summary.json');
  const settings: Record<string, string> = {
    BASE_URL: options.target.http,
    WS_URL: options.target.ws,
    ...(options.target.carrierWs ? { CARRIER_WS_URL: options.target.carrierWs } : {}),
    SCALE: String(options.scale),
    DURATION_MS: String(options.durationMs),
    SEED: String(options.seed),
    PROFILE: options.profile,
    SUMMARY_PATH: summaryPath,
    TIME_SCALE: String(options.timeScale ?? 1),
    ...(options.shape ? { SHAPE: options.shape } : {}),
  };
  const args = ['run', '--no-color', ...Object.entries(settings).flatMap(([key, value]) => ['-e', `${key}=${value}`]), script];
  const logPath = join(options.runDir, 'k6.log');
  await runK6(args, options.childEnv, logPath, options.signal);
  if (!existsSync(summaryPath)) throw runErrors.k6Failed(`its script wrote no summary to ${summaryPath}`, logPath);
  const raw: unknown = JSON.parse(readFileSync(summaryPath, 'utf8'));

  return {
    sessions: null,
    generator: null,
    errorExamples: [],
    offered: plateauFromK6(options, raw),
    judge(thresholds, counters, extra) {
      const summary = fromK6Summary(raw, extra);
      const counted = Object.keys(counters);
      const measured = new RunMetrics(chatMetrics);
      for (const [counter, value] of Object.entries(counters)) measured.add(counter, value);
      const fromCounters = evaluateThresholds(measured.snapshot(), only(thresholds, counted));
      // k6 judges over the whole run only, so a windowed threshold and its whole-run form are one verdict there.
      const fromK6 = Object.entries(thresholds).filter(([metric]) => !counted.includes(metric)).flatMap(([metric, specs]) =>
        [...new Set(specs.map(expressionOf))].map((expression): ThresholdResult => {
          const verdict = summary.gameday.thresholds.find((result) => result.metric === metric && result.expression === expression)
            ?? { metric, expression, ok: false, observed: null, note: 'the k6 summary has no verdict for it' };
          const beyondK6 = specs.filter((spec) => typeof spec !== 'string' && expressionOf(spec) === expression && (spec.window || spec.during));
          return beyondK6.length > 0 && !verdict.note ? { ...verdict, note: k6WholeRunNote } : verdict;
        }));
      const results = [...fromK6, ...fromCounters];
      summary.gameday.thresholds = results;
      return { results, summary };
    },
  };
}
