import { redisInfo } from '../../stack/redis.js';
import { residentBytes, workerRssSeries } from './worker-memory.js';

/** What the stack did during the load, beside the client's metrics: for the report's charts. */
export interface StackSamples {
  /** Epoch ms of the first sample's clock; each sample's t is ms after it. */
  startedAt: number;
  intervalMs: number;
  series: Record<string, Array<[tMs: number, value: number]>>;
}

export interface StackSampler {
  /** Takes a last sample and returns them all. */
  stop(): Promise<StackSamples>;
}

/** Redis INFO's numbers the report draws: evictions (cumulative), keys held, memory used. */
export function redisReadings(info: Record<string, string>): Record<string, number> {
  const keys = /keys=(\d+)/.exec(info.db0 ?? '')?.[1];
  const readings: Record<string, number> = {
    redis_evicted_keys: Number(info.evicted_keys),
    redis_keys: keys === undefined ? 0 : Number(keys),
    redis_used_memory_bytes: Number(info.used_memory),
  };
  return Object.fromEntries(Object.entries(readings).filter(([, value]) => Number.isFinite(value)));
}

/**
 * Reads the stack's Redis, and each service worker's resident memory (`workerPids`: the fleet's
 * live workers), every `intervalMs` while the load runs. A sample Redis does not answer (a fault
 * may be holding it) or a worker that is gone is left out, never an error: only the nightly
 * suite's leak gate (worker-memory.ts) judges these, and it says when it had too few.
 */
export function startStackSampler(redisUrl: string, intervalMs = 1_000, workerPids: () => number[] = () => []): StackSampler {
  const startedAt = Date.now();
  const series: StackSamples['series'] = {};
  const inFlight = new Set<Promise<void>>();
  const sample = () => {
    const at = Date.now() - startedAt;
    const redis = redisInfo(redisUrl).then((info) => {
      for (const [name, value] of Object.entries(redisReadings(info))) (series[name] ??= []).push([at, value]);
    }, () => undefined);
    const workers = Promise.resolve().then(workerPids).then((pids) => Promise.all(pids.map(async (pid) => {
      const bytes = await residentBytes(pid);
      if (bytes !== null) (series[workerRssSeries(pid)] ??= []).push([at, bytes]);
    })));
    const reading = Promise.all([redis, workers]).then(() => undefined, () => undefined).finally(() => inFlight.delete(reading));
    inFlight.add(reading);
    return reading;
  };
  void sample();
  const timer = setInterval(() => void sample(), intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await sample();
      await Promise.all(inFlight);
      for (const points of Object.values(series)) points.sort((a, b) => a[0] - b[0]);
      return { startedAt, intervalMs, series };
    },
  };
}
