/**
 * The service against its floor (bench/floor-server.ts) at the same rate, on the same stack, in
 * the same run: CPU per acknowledged message of each and their ratio, with the issue's targets.
 */
import { availableParallelism } from 'node:os';
import type { Spread } from './service-stats.js';

/** The service may spend at most this many times the floor's CPU per message. */
export const cpuRatioTarget = 1.5;
export const addedP95TargetMs = 30;

/** The part that is the server measured: the service (primary and workers) in one phase, the floor in the other. */
export const serverPart = 'server';

/** CPU ms per acknowledged message of one phase: each part's, the server's, the whole stack's. */
export interface CpuPerMessage { parts: Record<string, number>; server: number; stack: number; acknowledged: number }

export function cpuPerMessage(cpuMs: Record<string, number>, acknowledged: number): CpuPerMessage {
  const parts = Object.fromEntries(Object.entries(cpuMs).map(([part, ms]) => [part, acknowledged > 0 ? ms / acknowledged : Number.NaN]));
  const stack = Object.values(parts).reduce((sum, ms) => sum + ms, 0);
  return { parts, server: parts[serverPart] ?? Number.NaN, stack, acknowledged };
}

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** The service's CPU per message over the floor's; NaN when either is missing. */
export function cpuRatio(service: number, floor: number): number {
  return Number.isFinite(service) && Number.isFinite(floor) && floor > 0 ? service / floor : Number.NaN;
}

export function cpuTargetLine(service: number, floor: number): string {
  const ratio = cpuRatio(service, floor);
  const verdict = Number.isNaN(ratio) ? 'not measured' : ratio <= cpuRatioTarget ? 'met' : 'MISSED';
  return `target: the service's CPU per message ≤ ${cpuRatioTarget}x the floor's: ${fixed(ratio, 2)}x`
    + ` (${fixed(service, 2)} vs ${fixed(floor, 2)} ms): ${verdict}`;
}

export function addedTargetLine(added: Spread, rate: number, basis: string): string {
  const verdict = added.count === 0 ? 'not measured' : added.p95 < addedP95TargetMs ? 'met' : 'MISSED';
  return `target: the service's added p95 < ${addedP95TargetMs} ms at ${rate} msg/s (${basis}): ${fixed(added.p95, 1)} ms: ${verdict}`;
}

/** Where the service and the floor are compared and the added latency judged: half the knee, as the issue sets it. */
export function comparisonRate(input: { knee: number | undefined; highestHeld: number | undefined; firstStep: number }): { rate: number; basis: string } {
  const half = (rate: number) => Math.max(1, Math.floor(rate / 2));
  if (input.knee !== undefined) return { rate: half(input.knee), basis: `half the knee given with --knee ${input.knee}` };
  if (input.highestHeld !== undefined) return { rate: half(input.highestHeld), basis: `half the highest rate held here, ${input.highestHeld} msg/s` };
  return { rate: half(input.firstStep), basis: `half the first step, ${input.firstStep} msg/s, which did not hold` };
}

export interface ComparedPhase { cpu: CpuPerMessage; summaryCalls: number }

/** Rows of per-message CPU, service beside floor, with each part's share of its whole stack. */
export function comparisonTable(service: ComparedPhase, floor: ComparedPhase, names: Array<[string, string]>): string[] {
  const cell = (phase: ComparedPhase, part: string) => {
    const ms = phase.cpu.parts[part] ?? Number.NaN;
    return `${fixed(ms, 2).padStart(8)} ms ${`(${fixed((ms / phase.cpu.stack) * 100, 0)}%)`.padStart(6)}`;
  };
  const perMessage = (phase: ComparedPhase) => fixed(phase.summaryCalls / phase.cpu.acknowledged, 2).padStart(18);
  return [
    `${'CPU per acknowledged message'.padEnd(44)}${'service'.padStart(18)}${'floor'.padStart(18)}`,
    ...names.map(([part, name]) => `${name.padEnd(44)}${cell(service, part)}${cell(floor, part)}`),
    `${'whole stack'.padEnd(44)}${`${fixed(service.cpu.stack, 2)} ms`.padStart(18)}${`${fixed(floor.cpu.stack, 2)} ms`.padStart(18)}`,
    `${'acknowledged messages'.padEnd(44)}${String(service.cpu.acknowledged).padStart(18)}${String(floor.cpu.acknowledged).padStart(18)}`,
    `${'summaries (Haiku calls) per message'.padEnd(44)}${perMessage(service)}${perMessage(floor)}`,
  ];
}

// Further apart than this, the summaries one of them skipped (a Haiku call and a transaction each) show in its CPU.
const summaryParityTolerance = 0.2;

/** A note when the two did not make about the same summaries per message, so the CPU figures are not like for like; else null. */
export function summaryParityNote(service: ComparedPhase, floor: ComparedPhase): string | null {
  const [ofService, ofFloor] = [service, floor].map((phase) => phase.summaryCalls / phase.cpu.acknowledged) as [number, number];
  const gap = Math.abs(ofService - ofFloor) / Math.max(ofService, ofFloor);
  if (!Number.isFinite(gap) || gap <= summaryParityTolerance) return null;
  return `NOTE: the service made ${fixed(ofService, 2)} summaries per message and the floor ${fixed(ofFloor, 2)}:`
    + ' the CPU per message does not compare like with like';
}

/**
 * Every local process shares the same cores, so the rate the machine carries is capped by the
 * whole stack's CPU per message, not by the server's alone.
 */
export function ceilingLine(service: CpuPerMessage, floor: CpuPerMessage, cores = availableParallelism()): string {
  const cap = (stack: number) => (stack > 0 ? fixed((cores * 1_000) / stack, 0) : 'n/a');
  return `on this machine's ${cores} cores (os.availableParallelism()) the whole stack caps near ${cap(service.stack)} msg/s`
    + ` with the service (${fixed(service.stack, 1)} ms per message), near ${cap(floor.stack)} msg/s with the floor (${fixed(floor.stack, 1)} ms)`;
}
