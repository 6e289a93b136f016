import { processCpuMs } from '../stack/process-cpu.js';
import type { LoadPool } from './service-load.js';
import { type PhaseSummary, type RecordCollector, summarisePhase } from './service-stats.js';

/** A server under load (the service or the floor) and the pids of every process whose CPU a phase reads. */
export interface PhaseTarget {
  pool: LoadPool;
  /** The server's pids under `server`, each part of the stack under its own name; read at each phase (workers get replaced). */
  pids(): Record<string, number[]>;
}

export interface MeasuredPhase {
  summary: PhaseSummary;
  /** CPU ms of each part over the phase, this process under `generator`. */
  cpu: Record<string, number>;
  /** Non-streaming model calls that arrived during the phase: the summaries. */
  summaryCalls: number;
}

export interface PhaseRun { label: string; rate: number; durationMs: number }

const maxPreparedSessions = 2_000;

function cpuNow(pids: Record<string, number[]>): Record<string, number> {
  const generator = process.cpuUsage();
  return {
    ...Object.fromEntries(Object.entries(pids).map(([part, list]) => [part, list.reduce((sum, pid) => sum + (processCpuMs(pid) ?? 0), 0)])),
    generator: (generator.user + generator.system) / 1_000,
  };
}

/** Runs phases at a fixed open-model rate against one target, reading every part's CPU and the emulator's records around each. */
export function phaseRunner(input: { collector: RecordCollector; thinkMs: number; signal: AbortSignal; progress(line: string): void }) {
  const { collector, signal } = input;
  return async (target: PhaseTarget, { label, rate, durationMs }: PhaseRun): Promise<MeasuredPhase> => {
    // Enough sessions for the rate's sends and think times, so the phase does not start by waiting for connects.
    await target.pool.prepare(Math.min(maxPreparedSessions, Math.ceil((rate * (input.thinkMs + 500) * 1.3) / 1_000)), signal);
    const poller = setInterval(() => void collector.poll().catch(() => undefined), 1_000);
    try {
      const pids = target.pids();
      const startedAt = Date.now();
      const cpuBefore = cpuNow(pids);
      const results = await target.pool.runPhase({ label, rate, durationMs, signal, progress: input.progress });
      const cpuAfter = cpuNow(pids);
      const endedAt = Date.now();
      if (signal.aborted) throw new Error('interrupted');
      await collector.poll();
      const cpu = Object.fromEntries(Object.entries(cpuAfter).map(([part, ms]) => [part, ms - (cpuBefore[part] ?? 0)]));
      const summaryCalls = collector.records().filter((record) =>
        record.operation === 'InvokeModel' && record.startedAt >= startedAt && record.startedAt <= endedAt).length;
      return { summary: summarisePhase(results, collector.records()), cpu, summaryCalls };
    } finally {
      clearInterval(poller);
    }
  };
}
