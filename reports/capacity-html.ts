import { badge, type Cell, raw, table } from './html/markup.js';
import { page } from './html/page.js';
import { escapeHtml } from './escape.js';
import { formatNumber, formatSeconds } from './format.js';
import { curveSvg, type CurveChart } from './svg/curve-svg.js';
import type { CapacityFile, CapacityStep } from '../scenarios/run/capacity-file.js';
import type { GateResult } from '../scenarios/run/capacity-judge.js';

const gateNames: Record<GateResult['gate'], string> = { ttft: 'p95 TTFT in a 10 s window', errors: 'errors over the step', achieved: 'achieved vs offered' };
const ms = (value: number | null | undefined) => (value === null || value === undefined ? '-' : `${Math.round(value)} ms`);
const share = (value: number | null | undefined) => (value === null || value === undefined ? '-' : `${(value * 100).toFixed(2)} %`);

/** The bracket in words, as the page's headline. */
export function capacityHeadline(file: CapacityFile): { ok: boolean; text: string } {
  const { bracket } = file;
  const gate = bracket.gate ? ` on ${gateNames[bracket.gate.gate]} (${bracket.gate.detail})` : '';
  switch (bracket.outcome) {
    case 'knee': return { ok: true, text: `Knee: held ${bracket.held} msg/s, broke at ${bracket.broke} msg/s${gate}.` };
    case 'top-held': return { ok: true, text: `No knee up to ${bracket.held} msg/s: every step held (the knee is above the top step).` };
    case 'below-first': return { ok: false, text: `No knee at or above ${bracket.broke} msg/s: the first step broke${gate}.` };
    case 'generator-bound': return {
      ok: false,
      text: `Not evidence: the load generator saturated at ${bracket.generatorBound} msg/s${bracket.held === null ? '' : `, after ${bracket.held} msg/s held`}.`,
    };
  }
}

function verdictCell(step: CapacityStep): Cell {
  const { verdict, firstBroken } = step.judgement;
  if (verdict === 'held') return badge('pass', 'held');
  if (verdict === 'generator-bound') return badge('warn', 'generator-bound');
  return raw(`${badge('fail', 'BROKE').html} ${escapeHtml(firstBroken ? `${gateNames[firstBroken.gate]}: ${firstBroken.detail}` : '')}`);
}

const worstWindow = (step: CapacityStep) => step.judgement.gates.find((gate) => gate.gate === 'ttft')?.value ?? null;

function stepsTable(file: CapacityFile): string {
  return table({
    caption: 'Each step over its judged windows (past warm-up)', rowHeaders: true,
    head: ['offered msg/s', 'sessions/s', 'offered', 'achieved', 'sent (whole step)', 'TTFT p50', 'p95', 'p99', 'worst 10 s p95', 'errors', 'generator', 'result'],
    rows: file.steps.map((step) => [
      formatNumber(step.rate), step.sessionsPerSecond.toFixed(2), step.offered, step.achieved, step.messages,
      ms(step.ttftMs?.p50), ms(step.ttftMs?.p95), ms(step.ttftMs?.p99), ms(worstWindow(step)), share(step.errorRate),
      step.generator.saturated ? badge('warn', 'saturated') : `${Math.round(step.generator.cpuPercent)} % of a core`, verdictCell(step),
    ]),
  });
}

function curves(file: CapacityFile): string {
  const points = (pick: (step: CapacityStep) => number | null) => file.steps.map((step) => ({ x: step.rate, y: pick(step) }));
  const broke = file.bracket.broke === null ? [] : [{ x: file.bracket.broke, label: `first broken step: ${file.bracket.broke} msg/s` }];
  const latency: CurveChart = {
    title: 'Time to first token against the offered rate', xLabel: 'offered messages per second', yLabel: 'TTFT (ms)',
    series: [
      { label: 'p50', points: points((step) => step.ttftMs?.p50 ?? null) },
      { label: 'p95', points: points((step) => step.ttftMs?.p95 ?? null) },
      { label: 'p99', points: points((step) => step.ttftMs?.p99 ?? null) },
      { label: 'worst 10 s window p95', points: points(worstWindow) },
    ],
    limit: { value: file.gates.ttftP95Ms, label: `${file.gates.ttftP95Ms / 1000} s SLO` }, marks: broke,
  };
  const errors: CurveChart = {
    title: 'Errors against the offered rate', xLabel: 'offered messages per second', yLabel: 'errored turns (%)',
    series: [{ label: 'errors', points: points((step) => (step.errorRate === null ? null : step.errorRate * 100)) }],
    limit: { value: file.gates.errorRate * 100, label: `${file.gates.errorRate * 100} % gate` }, marks: broke,
  };
  const achieved: CurveChart = {
    title: 'Achieved against offered', xLabel: 'offered messages per second', yLabel: 'achieved / offered (%)',
    series: [{ label: 'achieved', points: points((step) => (step.offered > 0 ? (step.achieved / step.offered) * 100 : null)) }],
    limit: { value: file.gates.achievedShare * 100, label: `${file.gates.achievedShare * 100} % gate` }, marks: broke,
  };
  const figure = (chart: CurveChart, id: string) => `<figure class="chart-figure" id="${id}"><figcaption>${escapeHtml(chart.title)}</figcaption>${curveSvg(chart, id)}</figure>`;
  return `<div class="chart-row cols-2">${figure(latency, 'capacity-ttft')}${figure(errors, 'capacity-errors')}</div>`
    + `<div class="chart-row cols-2">${figure(achieved, 'capacity-achieved')}</div>`;
}

function cpuTable(file: CapacityFile): string {
  const names = [...new Set(file.steps.flatMap((step) => step.cpu.map((cpu) => cpu.name)))];
  const busiest = file.bracket.busiest;
  const caption = `CPU ms per message of every process, and its share of one core, over each step's judged windows`
    + `${busiest ? `; busiest when the search ended (${busiest.rate} msg/s): ${busiest.name}` : ''}`;
  if (names.length === 0) return '<p class="not-recorded">No step reached its judged windows: CPU was not measured.</p>';
  return table({
    caption, rowHeaders: true, head: ['process', ...file.steps.map((step) => `${formatNumber(step.rate)} msg/s`)],
    rows: names.map((name) => [name, ...file.steps.map((step) => {
      const cpu = step.cpu.find((entry) => entry.name === name);
      return cpu ? `${cpu.perMessageMs ?? '-'} ms (${cpu.percentOfCore} %)` : '-';
    })]),
    rowClasses: names.map((name) => (busiest?.name === name ? 'regressed' : null)),
  });
}

/** report.html for a capacity run: the bracket, the curves against the offered rate, the steps, the CPU table. */
export function renderCapacityHtml(file: CapacityFile, dir: string, generatedAt: Date): string {
  const headline = capacityHeadline(file);
  const { settings } = file;
  const intro = `<p>Capacity run <code>${escapeHtml(file.runId)}</code>, folder <code>${escapeHtml(dir)}</code>: ${escapeHtml(file.incident)} against `
    + `${escapeHtml(file.target)}, steps of ${formatSeconds(settings.holdMs)} (the first ${formatSeconds(settings.warmupMs)} of each left out as warm-up), `
    + `the model at real speed; ${settings.workers === null ? '' : `${settings.workers} service workers; `}`
    + `${Object.keys(settings.quotas).length > 0 ? `emulator quotas ${escapeHtml(JSON.stringify(settings.quotas))}; ` : ''}`
    + `${file.finished ? '' : '<strong>the search did not finish</strong>; '}rendered ${escapeHtml(generatedAt.toISOString())} by <code>gameday report</code>.</p>`;
  const gates = `<p>A step holds when the p95 time to first token of every 10 s window stays under ${file.gates.ttftP95Ms} ms, errors over the step stay `
    + `under ${file.gates.errorRate * 100} %, and it achieves at least ${file.gates.achievedShare * 100} % of the messages the plan offered; `
    + 'a step whose load generator saturated is generator-bound and never the knee.</p>';
  const notes = file.notes.length > 0 ? `<ul>${file.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>` : '';
  return page({
    title: `gameday capacity: ${file.runId}`,
    intro,
    nav: [['bracket', 'Bracket'], ['curves', 'Against the offered rate'], ['cpu', 'CPU per message']],
    sections: [
      `<section id="bracket" aria-labelledby="bracket-h"><h2 id="bracket-h">Bracket</h2>\n<p class="headline ${headline.ok ? 'pass' : 'fail'}">${escapeHtml(headline.text)}</p>${gates}${stepsTable(file)}</section>`,
      `<section id="curves" aria-labelledby="curves-h"><h2 id="curves-h">Against the offered rate</h2>\n${curves(file)}</section>`,
      `<section id="cpu" aria-labelledby="cpu-h"><h2 id="cpu-h">CPU per message</h2>\n${cpuTable(file)}${notes}</section>`,
    ],
  });
}
