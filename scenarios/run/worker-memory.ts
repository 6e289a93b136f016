/**
 * The nightly suite's leak gate: each service worker's resident memory (VmRSS), sampled every
 * second by the stack sampler, must not grow by 10 % or more over the run once warmed up. A
 * worker's first minute is left out (V8 grows its heap, compiles and fills its pools there, which
 * is not a leak); a worker the fleet started during the run (task-kill's replacements) warms up
 * from its own first sample. Growth is read off the least-squares line through what is left, not
 * from two samples: a worker's RSS swings by 10-25 % with each major GC (measured on
 * long-session-realtime: 152 MiB, then 112 MiB ten seconds later), while a leak is a trend.
 * Judged like the audit's counters: a measured value and a threshold.
 */
import { readFile } from 'node:fs/promises';
import { readFleetStatus } from '../../stack/service-process.js';
import type { StackEndpoints } from '../../stack/stack-state.js';

export const rssGrowthMetric = 'service_rss_growth_percent';
export const rssGrowthThreshold = 'value<10';
/** The series name of one worker's resident memory, in bytes, k6's name{tag:value} form. */
export const workerRssSeries = (pid: number) => `service_worker_rss_bytes{pid:${pid}}`;
const seriesPid = /^service_worker_rss_bytes\{pid:(\d+)\}$/;

export interface RssGrowthOptions {
  /** Left out at the start of each worker's samples. */
  warmUpMs: number;
  /** A worker sampled for less than this after its warm-up is not judged: one or two GC cycles make no trend. */
  minJudgedMs: number;
}

export const leakGateDefaults: RssGrowthOptions = { warmUpMs: 60_000, minJudgedMs: 120_000 };

export interface WorkerGrowth { pid: number; fromBytes: number; toBytes: number; percent: number }

/** The worst worker's growth, each worker's, and why nothing was judged when nothing was. */
export interface RssGrowth { percent: number | null; workers: WorkerGrowth[]; reason: string | null }

/** "VmRSS:	  123456 kB" of /proc/<pid>/status, in bytes; null when the text has none. */
export function vmRssBytes(status: string): number | null {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) * 1_024 : null;
}

/** A live process's resident memory, or null (it exited, or this is not Linux). */
export async function residentBytes(pid: number): Promise<number | null> {
  try {
    return vmRssBytes(await readFile(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}

/** The fleet's worker pids as its primary last wrote them (no service: none). */
export function fleetWorkerPids(endpoints: StackEndpoints): () => number[] {
  return () => {
    const statusFile = endpoints.service?.statusFile;
    return statusFile ? readFleetStatus(statusFile)?.workers ?? [] : [];
  };
}

/** One worker's growth along the least-squares line from its judged span's start to its end; null when the span is too short. */
function workerGrowth(points: ReadonlyArray<readonly [number, number]>, options: RssGrowthOptions): Omit<WorkerGrowth, 'pid'> | null {
  const first = points[0];
  if (!first) return null;
  const judged = points.filter(([t]) => t >= first[0] + options.warmUpMs);
  const start = judged[0]?.[0];
  const end = judged.at(-1)?.[0];
  if (start === undefined || end === undefined || end - start < options.minJudgedMs) return null;
  const meanT = judged.reduce((sum, [t]) => sum + t, 0) / judged.length;
  const meanBytes = judged.reduce((sum, [, bytes]) => sum + bytes, 0) / judged.length;
  const covariance = judged.reduce((sum, [t, bytes]) => sum + (t - meanT) * (bytes - meanBytes), 0);
  const variance = judged.reduce((sum, [t]) => sum + (t - meanT) ** 2, 0);
  const slope = covariance / variance;
  const fromBytes = meanBytes + slope * (start - meanT);
  const toBytes = meanBytes + slope * (end - meanT);
  return { fromBytes: Math.round(fromBytes), toBytes: Math.round(toBytes), percent: ((toBytes - fromBytes) / fromBytes) * 100 };
}

/** Pure: the growth of every worker sampled long enough after its warm-up; the gate takes the worst. */
export function rssGrowth(series: Readonly<Record<string, ReadonlyArray<readonly [number, number]>>>, options: RssGrowthOptions = leakGateDefaults): RssGrowth {
  const workers: WorkerGrowth[] = [];
  let sampled = 0;
  for (const [name, points] of Object.entries(series)) {
    const pid = seriesPid.exec(name)?.[1];
    if (pid === undefined) continue;
    sampled += 1;
    const growth = workerGrowth([...points].sort((a, b) => a[0] - b[0]), options);
    if (growth) workers.push({ pid: Number(pid), ...growth });
  }
  if (workers.length === 0) {
    const needS = (options.warmUpMs + options.minJudgedMs) / 1_000;
    return {
      percent: null, workers,
      reason: sampled === 0
        ? 'no worker\'s resident memory was sampled (the workers\' /proc is not readable from here)'
        : `no worker was sampled for ${needS} s (a ${options.warmUpMs / 1_000} s warm-up, then ${options.minJudgedMs / 1_000} s to judge); run longer (--duration) to judge memory growth`,
    };
  }
  return { percent: Math.max(...workers.map((worker) => worker.percent)), workers, reason: null };
}

export interface LeakGate {
  thresholds: Record<string, string[]>;
  counters: Record<string, number>;
  notEvaluated: Array<{ metric: string; expression: string; reason: string }>;
  growth: RssGrowth | null;
}

/**
 * The gate over a run's samples (null: the run had no stack to sample, e.g. a --target), as
 * thresholds and measured values to judge beside the load's, or as not evaluated and why.
 */
export function leakGate(series: Readonly<Record<string, ReadonlyArray<readonly [number, number]>>> | null, options: RssGrowthOptions = leakGateDefaults): LeakGate {
  if (!series) {
    return {
      thresholds: {}, counters: {}, growth: null,
      notEvaluated: [{ metric: rssGrowthMetric, expression: rssGrowthThreshold, reason: 'a --target runs workers gameday cannot see, so their memory was not sampled' }],
    };
  }
  const growth = rssGrowth(series, options);
  if (growth.percent === null) {
    return { thresholds: {}, counters: {}, growth, notEvaluated: [{ metric: rssGrowthMetric, expression: rssGrowthThreshold, reason: growth.reason ?? '' }] };
  }
  return { thresholds: { [rssGrowthMetric]: [rssGrowthThreshold] }, counters: { [rssGrowthMetric]: growth.percent }, growth, notEvaluated: [] };
}
