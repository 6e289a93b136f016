import { anchor, type Cell, table } from './markup.js';
import { escapeHtml } from '../escape.js';
import { formatNumber, formatValue, profileLabel } from '../format.js';
import { latencyHistograms } from '../latency-histogram.js';
import { type RunEntry, metricValue } from '../run-entry.js';
import { histogramSvg } from '../svg/histogram-svg.js';

const percentiles = ['med', 'p(90)', 'p(95)', 'p(99)', 'max'];
const latencyMetrics = ['chat_ttft', 'chat_turn_duration'];

/** The whole-run percentiles k6's summary carries, for every engine. */
function percentileTable(entry: RunEntry): string {
  const rows = latencyMetrics.filter((metric) => entry.metrics[metric]).map((metric): Cell[] => [
    metric, ...percentiles.map((stat) => formatValue(entry, metric, metricValue(entry, metric, stat))),
  ]);
  if (rows.length === 0) return '<p class="not-recorded">not recorded: the summary has no latency metrics</p>';
  return table({ caption: `${entry.key}: latency percentiles over the whole run`, head: ['metric', ...percentiles], rows, rowHeaders: true });
}

function entryHistograms(entry: RunEntry): string {
  const histograms = latencyHistograms(entry);
  const figures = histograms.map((histogram) => {
    const id = anchor('histogram', entry.key, histogram.metric);
    const rows = histogram.bins.filter((bin) => bin.count > 0).map((bin): Cell[] =>
      [`${formatNumber(Math.round(bin.fromMs))}–${formatNumber(Math.round(bin.toMs))} ms`, bin.count]);
    return `<figure class="chart-figure" id="${id}"><figcaption>${escapeHtml(`${histogram.title} (${histogram.metric})`)}</figcaption>${histogramSvg(histogram, id)}`
      + `<details><summary>Values</summary>${table({ caption: `${entry.key}: ${histogram.metric} samples per bin`, head: ['latency', 'samples'], rows, rowHeaders: true })}</details></figure>`;
  });
  const missing = histograms.length === 0
    ? `<p class="not-recorded">${entry.snapshot ? 'not recorded: no answered turns, so no latencies' : 'not recorded: k6 summaries carry no HDR histograms'}</p>`
    : '';
  return `<div class="histograms"><h3>${escapeHtml(`${entry.incident} (${profileLabel(entry)})`)}</h3>${percentileTable(entry)}${missing}<div class="chart-row cols-2">${figures.join('')}</div></div>`;
}

/** Latency histograms from the summary's HDR data, with the percentiles as a table. */
export function histogramsSection(entries: RunEntry[]): string {
  return `<section id="histograms" aria-labelledby="histograms-h"><h2 id="histograms-h">Latency histograms</h2>\n${entries.map(entryHistograms).join('\n')}</section>`;
}
