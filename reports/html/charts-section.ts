import { anchor, type Cell, table } from './markup.js';
import { byIncident } from './verdict-section.js';
import { escapeHtml } from '../escape.js';
import { type FaultMarks, faultMarks } from '../fault-marks.js';
import { formatNumber, profileLabel } from '../format.js';
import type { RunEntry } from '../run-entry.js';
import { chartPeak, timeChartSvg } from '../svg/time-chart-svg.js';
import { type ChartSlot, type TimeChart, timeCharts } from '../time-charts.js';

const seconds = (value: number) => `${value.toFixed(1)} s`;

/** The chart's numbers as a table: the text alternative that also works for copying values out. */
function valuesTable(chart: TimeChart, caption: string): string {
  const windowed = chart.points.some((point) => point.toS > point.fromS);
  const rows = chart.points.map((point): Cell[] => {
    const range = chart.range?.find((window) => window.fromS === point.fromS);
    return [
      windowed ? `${seconds(point.fromS)}–${seconds(point.toS)}` : seconds(point.fromS),
      point.value === null ? 'no samples' : formatNumber(point.value),
      ...(chart.range ? [range ? `${formatNumber(range.min)}–${formatNumber(range.max)}` : '-'] : []),
    ];
  });
  return table({ caption, head: [windowed ? 'window' : 'time', chart.yLabel, ...(chart.range ? ['lowest–highest'] : [])], rows, rowHeaders: true });
}

type Shared = { peak: number; xMaxS: number };

function figure(entry: RunEntry, slot: ChartSlot, marks: FaultMarks, showProfile: boolean, shared: Shared): string {
  const id = anchor('chart', entry.key, slot.id);
  const heading = showProfile ? `${profileLabel(entry)}: ${slot.title}` : slot.title;
  if (!slot.chart) {
    return `<figure class="chart-figure missing" id="${id}"><figcaption>${escapeHtml(heading)}</figcaption><p class="not-recorded">${escapeHtml(slot.missing)}</p></figure>`;
  }
  return `<figure class="chart-figure" id="${id}"><figcaption>${escapeHtml(heading)}</figcaption>${timeChartSvg(slot.chart, marks, id, shared)}`
    + `<details><summary>Values</summary>${valuesTable(slot.chart, `${entry.key}: ${slot.title}`)}</details></figure>`;
}

function faultLegend(entry: RunEntry, marks: FaultMarks): string {
  if (marks.bands.length === 0) {
    const skipped = entry.faultsSkipped.length > 0 ? ` (--skip-faults left ${entry.faultsSkipped.map((step) => step.fault).join(', ')} to other tools)` : '';
    return `<p class="legend">${escapeHtml(profileLabel(entry))}: no faults were injected${escapeHtml(skipped)}.</p>`;
  }
  const items = marks.bands.map((band) => `<li><span class="swatch fault-swatch" aria-hidden="true"></span>${escapeHtml(band.label)}: ${seconds(band.fromS)} to ${seconds(band.toS)}${band.failed ? ' (the step failed)' : ''}</li>`);
  if (marks.markers.length > 0) items.push(`<li><span class="swatch kill-swatch" aria-hidden="true"></span>worker kills (dashed): ${marks.markers.map((marker) => seconds(marker.atS)).join(', ')}</li>`);
  return `<div class="legend"><p>${escapeHtml(profileLabel(entry))}: faults shaded on the time axis</p><ul>${items.join('')}</ul></div>`;
}

/**
 * The charts over time, per incident: each chart a row, with the profiles that ran side by side
 * so naive and hardened line up window by window.
 */
export function chartsSection(entries: RunEntry[]): string {
  const groups = byIncident(entries).map(([incident, group]) => {
    const drawn = group.map((entry) => ({ entry, slots: timeCharts(entry), marks: faultMarks(entry) }));
    const showProfile = group.length > 1;
    const rows = (drawn[0]?.slots ?? []).map((_, index) => {
      const charts = drawn.flatMap(({ slots }) => (slots[index]?.chart ? [slots[index].chart] : []));
      const shared = { peak: Math.max(0, ...charts.map(chartPeak)), xMaxS: Math.max(0, ...charts.map((chart) => chart.xMaxS)) };
      return `<div class="chart-row cols-${group.length}">${drawn.map(({ entry, slots, marks }) => figure(entry, slots[index] as ChartSlot, marks, showProfile, shared)).join('')}</div>`;
    });
    return `<section class="incident-charts" aria-labelledby="${anchor('charts', incident)}"><h3 id="${anchor('charts', incident)}">${escapeHtml(incident)}</h3>`
      + `${drawn.map(({ entry, marks }) => faultLegend(entry, marks)).join('')}${rows.join('\n')}</section>`;
  });
  return `<section id="charts" aria-labelledby="charts-h"><h2 id="charts-h">Over time</h2>\n`
    + '<p>Each value covers a 10 s window of the run; shaded bands are faults from the chaos journal, dashed lines worker kills. '
    + 'Every chart\'s numbers are in the table under it.</p>\n'
    + `${groups.join('\n')}</section>`;
}
