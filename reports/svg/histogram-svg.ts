import { coordinate as c, frame, scale, tickLabel, ticks } from './axis.js';
import { escapeHtml } from '../escape.js';
import { formatNumber } from '../format.js';
import type { LatencyHistogram } from '../latency-histogram.js';

/** Where a latency falls on the bins' log axis, as a fraction of the way across. */
function logPosition(histogram: LatencyHistogram, ms: number): number {
  const low = histogram.bins[0]?.fromMs ?? 0;
  const high = histogram.bins[histogram.bins.length - 1]?.toMs ?? 0;
  if (!(low > 0) || high <= low) return 0.5;
  return Math.min(1, Math.max(0, Math.log(Math.max(ms, low) / low) / Math.log(high / low)));
}

/** A latency histogram as inline SVG: one bar per log-spaced bin, the p95 marked. */
export function histogramSvg(histogram: LatencyHistogram, id: string): string {
  const { width, height, left, right, top, bottom } = frame;
  const counts = histogram.bins.map((bin) => bin.count);
  const yTicks = ticks(Math.max(1, ...counts) * 1.05, 5, true);
  const y = scale(yTicks[yTicks.length - 1] as number, height - bottom, top);
  const slot = (width - left - right) / Math.max(1, histogram.bins.length);
  const parts: string[] = [];
  for (const tick of yTicks) {
    parts.push(`<line class="grid" x1="${left}" x2="${width - right}" y1="${c(y(tick))}" y2="${c(y(tick))}"/>`,
      `<text class="tick" x="${left - 6}" y="${c(y(tick) + 4)}" text-anchor="end">${tickLabel(tick)}</text>`);
  }
  const labelEvery = Math.max(1, Math.ceil(histogram.bins.length / 6));
  const d = histogram.bins.map((bin, index) => {
    const x = left + index * slot;
    if (index % labelEvery === 0) parts.push(`<text class="tick" x="${c(x)}" y="${height - bottom + 16}" text-anchor="middle">${tickLabel(Math.round(bin.fromMs))}</text>`);
    return `M${c(x + 1)} ${c(y(0))}V${c(y(bin.count))}h${c(Math.max(1, slot - 2))}V${c(y(0))}Z`;
  }).join('');
  parts.push(`<path class="series bars" d="${d}"/>`);
  const p95x = left + logPosition(histogram, histogram.p95Ms) * (width - left - right);
  parts.push(`<line class="limit" x1="${c(p95x)}" x2="${c(p95x)}" y1="${top}" y2="${height - bottom}"/>`,
    // Near the right edge the label goes on the line's left, so it stays inside the chart.
    `<text class="limit-label" x="${c(p95x > width * 0.75 ? p95x - 4 : p95x + 4)}" y="${top + 10}" text-anchor="${p95x > width * 0.75 ? 'end' : 'start'}">`
    + `p95 ${formatNumber(Math.round(histogram.p95Ms))} ms</text>`,
    `<line class="axis" x1="${left}" x2="${width - right}" y1="${height - bottom}" y2="${height - bottom}"/>`,
    `<text class="axis-label" x="${c((left + width - right) / 2)}" y="${height - 6}" text-anchor="middle">ms (log scale)</text>`,
    `<text class="axis-label" x="12" y="${c((top + height - bottom) / 2)}" text-anchor="middle" transform="rotate(-90 12 ${c((top + height - bottom) / 2)})">samples</text>`);
  const description = `${histogram.count} samples from ${formatNumber(Math.round(histogram.bins[0]?.fromMs ?? 0))} ms `
    + `to ${formatNumber(Math.round(histogram.bins[histogram.bins.length - 1]?.toMs ?? 0))} ms; p95 ${formatNumber(Math.round(histogram.p95Ms))} ms.`;
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-t ${id}-d" xmlns="http://www.w3.org/2000/svg">`
    + `<title id="${id}-t">${escapeHtml(histogram.title)}</title><desc id="${id}-d">${escapeHtml(description)}</desc>${parts.join('')}</svg>`;
}
