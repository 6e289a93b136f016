/**
 * CPU time of every process a run started, between two marks: what one message costs each of
 * them, and which one was busiest. On one machine they all share the same cores, so the rate the
 * stack carries is capped by the sum (the SRE habit: a request's cost in the resources it uses).
 */
import { processCpuMs } from '../../stack/process-cpu.js';
import { readFleetStatus } from '../../stack/service-process.js';
import type { StackEndpoints, StackProcessRecord } from '../../stack/stack-state.js';

export interface NamedProcess { name: string; pid: number }

/** The CLI process runs the load engine, the progress line and these CPU readings: its CPU is all of theirs. */
export const generatorProcessName = 'generator (this gameday process: load engine, progress, CPU sampler)';

const partNames: Record<string, string> = {
  redis: 'redis-server', dynamodb: 'DynamoDB Local (JVM)', bedrock: 'Bedrock emulator', toxiproxy: 'proxy', service: 'service primary',
};

/**
 * The stack's processes by names people know; the service's workers from the fleet's status file
 * (its primary forks them, so only the primary is the stack's own child). Read at each step: a
 * worker that died was replaced by one with another pid.
 */
export function stackProcesses(processes: readonly StackProcessRecord[], endpoints: StackEndpoints): NamedProcess[] {
  const named = processes.map((part) => ({ name: partNames[part.name] ?? part.name, pid: part.pid }));
  const fleet = endpoints.service ? readFleetStatus(endpoints.service.statusFile) : null;
  const workers = (fleet?.workers ?? []).map((pid, index) => ({ name: `service worker ${index + 1}`, pid }));
  return [...named, ...workers];
}

export interface CpuMark {
  /** performance.now() at the mark. */
  atMs: number;
  /** CPU ms of each process by pid; null once it is gone. */
  byPid: Map<number, number | null>;
  /** This process's own CPU ms (process.cpuUsage). */
  selfMs: number;
}

export function markCpu(processes: readonly NamedProcess[]): CpuMark {
  const usage = process.cpuUsage();
  return {
    atMs: performance.now(),
    byPid: new Map(processes.map((part) => [part.pid, processCpuMs(part.pid)])),
    selfMs: (usage.user + usage.system) / 1_000,
  };
}

export interface ProcessCpu {
  name: string;
  /** null for the generator (this process). */
  pid: number | null;
  cpuMs: number;
  /** Of one core over the span: 100 is a whole core. */
  percentOfCore: number;
  /** CPU ms per message sent in the span; null when none was. */
  perMessageMs: number | null;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Each process's CPU between two marks (a process gone by the end is left out), busiest first. */
export function cpuBetween(start: CpuMark, end: CpuMark, processes: readonly NamedProcess[], messages: number): ProcessCpu[] {
  const wallMs = Math.max(1, end.atMs - start.atMs);
  const entry = (name: string, pid: number | null, cpuMs: number): ProcessCpu => ({
    name, pid, cpuMs: round(cpuMs, 1), percentOfCore: round((cpuMs / wallMs) * 100, 1), perMessageMs: messages > 0 ? round(cpuMs / messages, 2) : null,
  });
  const parts = processes.flatMap((part) => {
    const from = start.byPid.get(part.pid);
    const to = end.byPid.get(part.pid);
    return typeof from === 'number' && typeof to === 'number' ? [entry(part.name, part.pid, to - from)] : [];
  });
  return [...parts, entry(generatorProcessName, null, end.selfMs - start.selfMs)].sort((a, b) => b.cpuMs - a.cpuMs);
}
