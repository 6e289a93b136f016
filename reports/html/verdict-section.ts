import { anchor, badge, type Cell, type Html, raw, table } from './markup.js';
import { escapeHtml } from '../escape.js';
import { formatValue, profileLabel } from '../format.js';
import type { RunEntry } from '../run-entry.js';
import { thresholdLabel } from '../../engine/latency-scale.js';
import { thresholdKey } from '../../engine/summary.js';
import type { ThresholdResult } from '../../engine/thresholds.js';

/** Every evaluated threshold held. */
export const entryPassed = (entry: RunEntry) => entry.thresholds.every((result) => result.ok);

/** A threshold's row name: the real-time expression where a time scale judged it, its window, the plateau. */
const rowName = (result: ThresholdResult) => `${thresholdLabel(result)}${thresholdKey(result).slice(result.expression.length)}`;

/** The entries of each incident, in the folder's order. */
export function byIncident(entries: RunEntry[]): Array<[string, RunEntry[]]> {
  const groups = new Map<string, RunEntry[]>();
  for (const entry of entries) groups.set(entry.incident, [...(groups.get(entry.incident) ?? []), entry]);
  return [...groups.entries()];
}

function resultCell(result: ThresholdResult): Html {
  const windows = result.windowed ? ` (${result.windowed.failedWindows}/${result.windowed.windows} windows failed)` : '';
  const note = result.note ? ` <small>${escapeHtml(result.note)}</small>` : '';
  return raw(`${badge(result.ok ? 'pass' : 'fail', result.ok ? 'pass' : 'FAIL').html}${escapeHtml(windows)}${note}`);
}

function valueCell(entry: RunEntry, result: ThresholdResult): string {
  const value = formatValue(entry, result.metric, result.observed);
  const worst = result.windowed?.worst;
  return worst === undefined || worst === null ? value : `${value} (worst window ${formatValue(entry, result.metric, worst)})`;
}

/** One incident's thresholds, each profile's measured value and result side by side. */
function incidentTable(incident: string, entries: RunEntry[]): string {
  const names = [...new Set(entries.flatMap((entry) => [
    ...entry.thresholds.map(rowName),
    ...entry.notEvaluated.map((skipped) => `${skipped.metric} ${skipped.expression}`),
  ]))];
  const rows = names.map((name): Cell[] => [name, ...entries.flatMap((entry): Cell[] => {
    const result = entry.thresholds.find((each) => rowName(each) === name);
    if (result) return [valueCell(entry, result), resultCell(result)];
    const skipped = entry.notEvaluated.find((each) => `${each.metric} ${each.expression}` === name);
    if (skipped) return ['-', raw(`${badge('skip', 'not evaluated').html} <small>${escapeHtml(skipped.reason)}</small>`)];
    return ['-', 'not in this run'];
  })]);
  return table({
    caption: `${incident}: each threshold's measured value and result${entries.length > 1 ? ', profiles side by side' : ''}`,
    head: ['threshold', ...entries.flatMap((entry) => [`${profileLabel(entry)}: value`, `${profileLabel(entry)}: result`])],
    rows,
    rowHeaders: true,
    className: 'verdict',
  });
}

function overallRow(entry: RunEntry): Cell[] {
  const failed = entry.thresholds.filter((result) => !result.ok).length;
  const notes = [
    ...(entry.evidence?.reasons.map((reason) => `NOT EVIDENCE: ${reason}`) ?? (entry.generator?.saturated ? ['the load generator was saturated: its latencies are not trustworthy'] : [])),
    ...(entry.notEvaluated.length > 0 ? [`${entry.notEvaluated.length} threshold(s) not evaluated`] : []),
    ...(entry.profile === 'naive' ? [entryPassed(entry) ? 'the bug is switched on, yet the gate held: it did not catch it' : 'the bug is switched on: the gate caught it'] : []),
  ];
  return [
    raw(`<a href="#${anchor('incident', entry.incident)}">${escapeHtml(entry.incident)}</a>`),
    profileLabel(entry),
    entryPassed(entry) ? badge('pass', 'pass') : badge('fail', 'FAIL'),
    `${entry.thresholds.length - failed} of ${entry.thresholds.length} held`,
    notes.join('; '),
  ];
}

/** The verdict, first in the report: each incident-profile's pass or fail, then every threshold. */
export function verdictSection(entries: RunEntry[]): string {
  const failing = entries.filter((entry) => !entryPassed(entry));
  const headline = failing.length === 0
    ? `<p class="headline pass">Every gate held (${entries.length} incident-profile${entries.length === 1 ? '' : 's'}).</p>`
    : `<p class="headline fail">${failing.length} of ${entries.length} incident-profile${entries.length === 1 ? '' : 's'} failed a gate: ${escapeHtml(failing.map((entry) => `${entry.incident} (${profileLabel(entry)})`).join(', '))}.</p>`;
  const overall = table({
    caption: 'Verdict per incident and profile', id: 'verdict-table', className: 'verdict',
    head: ['incident', 'profile', 'result', 'thresholds', 'notes'], rows: entries.map(overallRow),
  });
  const perIncident = byIncident(entries).map(([incident, group]) => {
    const title = group.find((entry) => entry.title)?.title;
    return `<h3 id="${anchor('incident', incident)}">${escapeHtml(incident)}${title ? `: ${escapeHtml(title)}` : ''}</h3>\n${incidentTable(incident, group)}`;
  });
  const unproven = entries.filter((entry) => entry.evidence && !entry.evidence.ok);
  const evidence = unproven.length === 0 ? '' : `<p class="headline fail">Not evidence: ${escapeHtml(unproven.map((entry) => `${entry.incident} (${profileLabel(entry)}): `
    + `${entry.evidence?.reasons.join('; ')}`).join(' · '))}. Whatever its gates said, such a run exits 1.</p>\n`;
  return `<section id="verdict" aria-labelledby="verdict-h"><h2 id="verdict-h">Verdict</h2>\n${evidence}${headline}\n${overall}\n${perIncident.join('\n')}</section>`;
}
