import type { CapacityFile } from '../scenarios/run/capacity-file.js';
import type { GateResult } from '../scenarios/run/capacity-judge.js';
import type { StepResult } from '../scenarios/run/capacity-step.js';

const gateNames: Record<GateResult['gate'], string> = { ttft: 'p95 TTFT (10 s window)', errors: 'errors', achieved: 'achieved vs offered' };
const ms = (value: number | null | undefined) => (value === null || value === undefined ? '-' : `${Math.round(value)}`);
const share = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(2)}%`);

function verdictText(step: Pick<StepResult, 'judgement'>): string {
  const { verdict, firstBroken } = step.judgement;
  if (verdict === 'held') return 'held';
  if (verdict === 'generator-bound') return 'GENERATOR-BOUND (not evidence)';
  return `BROKE: ${firstBroken ? gateNames[firstBroken.gate] : '?'}`;
}

/** One line after a step, for the progress on stderr. */
export function stepLine(step: StepResult): string {
  const worst = step.judgement.gates.find((gate) => gate.gate === 'ttft')?.value ?? null;
  const busiest = step.cpu[0];
  const parts = [
    `${step.rate} msg/s ${verdictText(step)}`,
    `p95 TTFT ${ms(step.ttftMs?.p95)} ms (worst window ${ms(worst)} ms)`,
    `errors ${share(step.errorRate)}`,
    `achieved ${step.achieved} of ${step.offered} offered`,
    ...(busiest ? [`busiest ${busiest.name} (${busiest.percentOfCore} % of a core)`] : []),
  ];
  const broken = step.judgement.firstBroken;
  return `${parts.join(', ')}${broken ? `; ${broken.detail}` : ''}`;
}

function columns(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, index) => Math.max(...rows.map((row) => (row[index] ?? '').length)));
  return rows.map((row) => row.map((cell, index) => cell.padEnd(widths[index] as number)).join('  ').trimEnd()).join('\n');
}

/** The bracket in one sentence, as the table's headline and the README quote it. */
export function bracketLine(file: CapacityFile): string {
  const { bracket } = file;
  const gate = bracket.gate ? `${gateNames[bracket.gate.gate]}: ${bracket.gate.detail}` : '';
  switch (bracket.outcome) {
    case 'knee': return `knee: held ${bracket.held} msg/s, broke at ${bracket.broke} msg/s on ${gate}`;
    case 'top-held': return `no knee up to the top step: every step held, up to ${bracket.held} msg/s (raise --max to look further)`;
    case 'below-first': return `no knee at or above --from: the first step (${bracket.broke} msg/s) already broke on ${gate}; start lower`;
    case 'generator-bound': return `no knee: the generator saturated at ${bracket.generatorBound} msg/s`
      + `${bracket.held === null ? ' before any step held' : ` after the service held ${bracket.held} msg/s`}; that step is not evidence`;
  }
}

function cpuTable(file: CapacityFile): string {
  const names = [...new Set(file.steps.flatMap((step) => step.cpu.map((cpu) => cpu.name)))];
  if (names.length === 0) return 'CPU: not measured (no step reached its judged windows)';
  const head = ['CPU ms per message', ...file.steps.map((step) => `${step.rate} msg/s`)];
  const rows = names.map((name) => [name, ...file.steps.map((step) => {
    const cpu = step.cpu.find((entry) => entry.name === name);
    return cpu ? `${cpu.perMessageMs ?? '-'} (${cpu.percentOfCore}%)` : '-';
  })]);
  return `${columns([head, ...rows])}\n(in brackets: share of one core over the step's judged windows)`;
}

/** What `gameday capacity` prints on stdout: the steps, the bracket, the busiest process, CPU per message. */
export function capacityReport(file: CapacityFile, outDir: string): string {
  const head = ['offered msg/s', 'sessions/s', 'offered', 'achieved', 'sent', 'p50 ms', 'p95 ms', 'p99 ms', 'worst 10 s p95', 'errors', 'result'];
  const rows = file.steps.map((step) => [
    String(step.rate), step.sessionsPerSecond.toFixed(2), String(step.offered), String(step.achieved), String(step.messages),
    ms(step.ttftMs?.p50), ms(step.ttftMs?.p95), ms(step.ttftMs?.p99), ms(step.judgement.gates.find((gate) => gate.gate === 'ttft')?.value),
    share(step.errorRate), verdictText(step),
  ]);
  const busiest = file.bracket.busiest;
  const lines = [
    `${file.incident} against ${file.target}: steps of ${file.settings.holdMs / 1000} s, the first ${Math.round(file.settings.warmupMs / 100) / 10} s of each left out (warm-up)`,
    '',
    columns([head, ...rows]),
    '',
    bracketLine(file),
    ...(busiest ? [`busiest process at ${busiest.rate} msg/s: ${busiest.name}, ${busiest.percentOfCore} % of a core (${busiest.perMessageMs ?? '-'} ms CPU per message)`] : []),
    '',
    cpuTable(file),
    ...file.notes.map((note) => `note: ${note}`),
    '',
    `results: ${outDir}`,
  ];
  return `${lines.join('\n')}\n`;
}
