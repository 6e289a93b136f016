import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface GeneratorHealth { cpuPercent: number; eventLoopP99Ms: number; saturated: boolean; reason: string | null }

/**
 * Every latency the engine measures is taken on its event loop: a frame that arrived 300 ms
 * before the loop got to it is reported 300 ms late. Past a 100 ms p99 delay that error is the
 * size of the SLOs we judge (TTFT p95 < 3 s in 10 s windows, sub-second TTFTs), so the numbers
 * describe the generator, not the service.
 */
export const EVENT_LOOP_P99_LIMIT_MS = 100;
/**
 * JavaScript runs on one thread: a process near a whole core has no headroom left, and its
 * timers and socket reads queue behind work. 90 % of one core over the run is that point.
 */
export const CPU_LIMIT_PERCENT = 90;
/** How often the event-loop delay is sampled, in ms. */
const RESOLUTION_MS = 10;

export function judgeGeneratorHealth(cpuPercent: number, eventLoopP99Ms: number): GeneratorHealth {
  const causes: string[] = [];
  if (eventLoopP99Ms > EVENT_LOOP_P99_LIMIT_MS) causes.push(`event-loop delay p99 ${Math.round(eventLoopP99Ms)} ms`);
  if (cpuPercent > CPU_LIMIT_PERCENT) causes.push(`CPU ${Math.round(cpuPercent)} % of one core`);
  const saturated = causes.length > 0;
  return {
    cpuPercent,
    eventLoopP99Ms,
    saturated,
    reason: saturated ? `the load generator was saturated (${causes.join(', ')}): its latencies are not trustworthy` : null,
  };
}

export interface SelfMonitorOptions {
  /** Wall clock in ms; performance.now by default. */
  now?: () => number;
  /** The process's CPU time so far; process.cpuUsage by default. */
  cpuUsage?: () => { user: number; system: number };
}

export interface SelfMonitor {
  /** Ends the measurement and judges it; later calls return the same judgement. */
  stop(): GeneratorHealth;
}

/** Measures this process (the load generator) from now until stop(): event-loop delay and CPU. */
export function startSelfMonitor(options: SelfMonitorOptions = {}): SelfMonitor {
  const now = options.now ?? (() => performance.now());
  const cpuUsage = options.cpuUsage ?? (() => process.cpuUsage());
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  const startedAt = now();
  const cpuAtStart = cpuUsage();
  let health: GeneratorHealth | null = null;

  return {
    stop() {
      if (health) return health;
      delay.disable();
      const wallMs = now() - startedAt;
      const cpu = cpuUsage();
      const cpuMs = (cpu.user - cpuAtStart.user + cpu.system - cpuAtStart.system) / 1000;
      const cpuPercent = wallMs > 0 ? (cpuMs / wallMs) * 100 : 0;
      const eventLoopP99Ms = delay.count > 0 ? delay.percentile(99) / 1e6 : 0;
      health = judgeGeneratorHealth(cpuPercent, eventLoopP99Ms);
      return health;
    },
  };
}
