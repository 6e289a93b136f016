import { availableParallelism } from 'node:os';

/**
 * What this machine can carry with the whole stack local: every process (service, DynamoDB
 * Local, emulator, redis, this generator) shares the same cores, so the message rate is capped
 * by the CPU one message costs across all of them, not by the service alone.
 */
export interface CpuCeiling {
  cores: number;
  /** CPU ms per message, per process group and in total. */
  perMessage: Record<string, number>;
  totalPerMessageMs: number;
  /** Messages per second that would keep every core busy; NaN if nothing was measured. */
  ceilingRate: number;
}

export function cpuCeiling(cpuMs: Record<string, number>, messages: number, cores = availableParallelism()): CpuCeiling {
  const perMessage = Object.fromEntries(Object.entries(cpuMs).map(([part, ms]) => [part, messages > 0 ? ms / messages : Number.NaN]));
  const totalPerMessageMs = Object.values(perMessage).reduce((sum, ms) => sum + ms, 0);
  const ceilingRate = totalPerMessageMs > 0 ? (cores * 1_000) / totalPerMessageMs : Number.NaN;
  return { cores, perMessage, totalPerMessageMs, ceilingRate };
}

export function printCeiling(ceiling: CpuCeiling, input: {
  rate: number; measuredAtRate: number; messages: number; targetRate: number; addedP95TargetMs: number;
}): void {
  const parts = Object.entries(ceiling.perMessage)
    .sort(([, a], [, b]) => b - a)
    .map(([part, ms]) => `${part} ${ms.toFixed(2)}`);
  console.log(`\nCPU per message across every local process: ${ceiling.totalPerMessageMs.toFixed(1)} ms (${parts.join(', ')};`
    + ` over the ${input.messages} messages of the ${input.measuredAtRate.toFixed(0)} msg/s phase)`);
  console.log(`on this machine's ${ceiling.cores} cores (os.availableParallelism()) that caps the whole stack near`
    + ` ${ceiling.ceilingRate.toFixed(0)} msg/s; ${input.targetRate} msg/s needs about`
    + ` ${((input.targetRate * ceiling.totalPerMessageMs) / 1_000).toFixed(1)} cores with everything local`);
  if (input.rate > ceiling.ceilingRate) {
    console.log(`--rate ${input.rate} is ABOVE that ceiling: the target (added p95 < ${input.addedP95TargetMs} ms at ${input.targetRate} msg/s)`
      + ` is not reachable on this machine, because the service, DynamoDB Local, the emulator, redis and this generator compete`
      + ` for the same ${ceiling.cores} cores; the ${input.rate} msg/s figures measure queueing for CPU, not the service's overhead.`
      + ' The phase at a rate the machine carries shows the overhead itself.');
  }
}
