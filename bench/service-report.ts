import { type PhaseSummary, type Spread, spread } from './service-stats.js';

// DESIGN.md: 1M msg/day is 11.6 msg/s on average and about 35 msg/s at the JST evening peak.
const peakRate = 35;

export interface StepOutcome { rate: number; summary: PhaseSummary; reasons: string[] }

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : 'n/a');
const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : 'n/a');

function row(label: string, values: Spread, format = ms): string {
  return `${label.padEnd(40)}${[values.p50, values.p95, values.p99, values.max].map((value) => format(value).padStart(10)).join('')}`;
}

function errorLine(summary: PhaseSummary): string {
  const kinds = summary.errorKinds.length ? ` (${summary.errorKinds.slice(0, 4).join(', ')})` : '';
  return `errors ${summary.errors} (${(summary.errorRate * 100).toFixed(2)}%)${kinds}`;
}

export interface PhaseLatency { added: Spread; emulatorTtft: Spread }

/** The latency table of one fixed-rate phase; returns the added latency and the emulator's own TTFT of the matched calls. */
export function printPhase(input: { title: string; who: string; rate: number; durationMs: number; summary: PhaseSummary; recordsMissed: number }): PhaseLatency {
  const { summary } = input;
  const { matched, ambiguous, unmatched, withoutModel } = summary.matching;
  const added = spread(matched.map((call) => call.addedMs));
  console.log(`\n${input.title}: ${input.rate.toFixed(0)} msg/s for ${input.durationMs / 1_000} s: sent ${summary.sent}, answered ${summary.answered}, ${errorLine(summary)}`);
  console.log(`model calls matched ${matched.length} (ambiguous ${ambiguous}, unmatched ${unmatched}, answered from cache ${withoutModel}`
    + `${input.recordsMissed ? `, records the emulator dropped ${input.recordsMissed}` : ''})`);
  console.log(`${''.padEnd(40)}${['p50', 'p95', 'p99', 'max'].map((label) => label.padStart(10)).join('')}`);
  console.log(row('client TTFT (ms)', summary.clientTtft));
  const emulatorTtft = spread(matched.map((call) => call.emulatorTtftMs));
  console.log(row('emulator TTFT, same calls (ms)', emulatorTtft));
  console.log(row(`added by ${input.who} (ms)`, added));
  console.log(row('  of which before the model call (ms)', spread(matched.map((call) => call.beforeModelMs))));
  console.log(row('  of which after its first token (ms)', spread(matched.map((call) => call.addedMs - call.beforeModelMs))));
  console.log(row('added / emulator TTFT (per call)', spread(matched.map((call) => call.addedMs / call.emulatorTtftMs)), times));
  console.log(row('generator lag behind schedule (ms)', summary.generatorLag));
  if (summary.waitedForSession > 0) {
    console.log(`${summary.waitedForSession} messages found no free session and waited for a new one (that wait is not in their TTFT)`);
  }
  return { added, emulatorTtft };
}

/** Added latency against the peer, the emulator's own TTFT for the same calls. */
export function addedLine(who: string, rate: number, { added, emulatorTtft }: PhaseLatency): string {
  return `added by ${who} at ${rate} msg/s: p50 ${ms(added.p50)} / p95 ${ms(added.p95)} / p99 ${ms(added.p99)} ms`
    + ` (p95 = ${times(added.p95 / emulatorTtft.p95)} the emulator's p95 TTFT)`;
}

export function printSteps(input: { steps: StepOutcome[]; stepMs: number; ttftSloMs: number; maxErrorRate: number; maxRate: number }): void {
  console.log(`\nSustained rate: steps of ${input.stepMs / 1_000} s; a step passes with p95 TTFT < ${input.ttftSloMs} ms,`
    + ` errors <= ${input.maxErrorRate * 100}% and the generator on schedule`);
  console.log(`${'rate'.padStart(6)}${'sent'.padStart(8)}${'errors'.padStart(8)}${'TTFT p50'.padStart(10)}${'TTFT p95'.padStart(10)}`
    + `${'added p95'.padStart(11)}${'lag p95'.padStart(9)}${'waited'.padStart(8)}  verdict`);
  for (const { rate, summary, reasons } of input.steps) {
    const added = spread(summary.matching.matched.map((call) => call.addedMs));
    console.log(`${String(rate).padStart(6)}${String(summary.sent).padStart(8)}${String(summary.errors).padStart(8)}`
      + `${ms(summary.clientTtft.p50).padStart(10)}${ms(summary.clientTtft.p95).padStart(10)}${ms(added.p95).padStart(11)}`
      + `${ms(summary.generatorLag.p95).padStart(9)}${String(summary.waitedForSession).padStart(8)}  ${reasons.length ? `fail: ${reasons.join('; ')}` : 'pass'}`);
  }
  const passed = input.steps.filter((step) => step.reasons.length === 0).at(-1);
  const last = input.steps.at(-1);
  const ceiling = last && last.reasons.length === 0 ? ` (every step passed up to --max-rate ${input.maxRate}; the ceiling is higher)` : '';
  if (passed) {
    const added = spread(passed.summary.matching.matched.map((call) => call.addedMs));
    console.log(`\nadded by the service at the highest passing step (${passed.rate} msg/s): p50 ${ms(added.p50)} / p95 ${ms(added.p95)}`
      + ` / p99 ${ms(added.p99)} ms`);
  }
  console.log(passed
    ? `highest sustained rate: ${passed.rate} msg/s = ${times(passed.rate / peakRate)} the ${peakRate} msg/s peak of 1M msg/day${ceiling}`
    : `\nhighest sustained rate: none of the steps passed (the first was ${input.steps[0]?.rate ?? 'n/a'} msg/s)`);
}
