import { axesMarkup, coordinate as c, frame, gridMarkup, limitMarkup, scale, ticks } from './axis.js';
import { escapeHtml } from '../escape.js';
import type { FaultMarks } from '../fault-marks.js';
import { formatNumber } from '../format.js';
import type { TimeChart, TimePoint } from '../time-charts.js';

const mid = (point: TimePoint) => (point.fromS + point.toS) / 2;

/** The largest value the chart must fit: its values, its shaded range and its limit line. */
export function chartPeak(chart: TimeChart): number {
  const values = [
    ...chart.points.map((point) => point.value ?? 0),
    ...(chart.compare?.points ?? []).map((point) => point.value ?? 0),
    ...(chart.range ?? []).map((window) => window.max),
    chart.limit?.value ?? 0,
  ];
  return Math.max(0, ...values);
}

/** A line through the points; a gap (null) breaks it, and every point gets a dot so a lone one shows. */
function linePath(points: TimePoint[], x: (s: number) => number, y: (v: number) => number): { d: string; dots: string } {
  let d = '';
  let pen = false;
  let dots = '';
  for (const point of points) {
    if (point.value === null) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${c(x(mid(point)))} ${c(y(point.value))}`;
    dots += `<circle class="point" cx="${c(x(mid(point)))}" cy="${c(y(point.value))}" r="2.5"/>`;
    pen = true;
  }
  return { d, dots };
}

/** Bars as one path: a zero draws as a flat stroke on the axis, so "nothing happened" is visible. */
function barsPath(points: TimePoint[], x: (s: number) => number, y: (v: number) => number): string {
  return points.filter((point) => point.value !== null).map((point) => {
    const left = x(point.fromS) + 1;
    const width = Math.max(1, x(point.toS) - x(point.fromS) - 2);
    return `M${c(left)} ${c(y(0))}V${c(y(point.value as number))}h${c(width)}V${c(y(0))}Z`;
  }).join('');
}

function describe(chart: TimeChart, marks: FaultMarks): string {
  const drawn = chart.points.filter((point) => point.value !== null);
  const peak = drawn.reduce<TimePoint | null>((best, point) => (best === null || (point.value as number) > (best.value as number) ? point : best), null);
  const parts = [
    `${drawn.length} value${drawn.length === 1 ? '' : 's'} over ${formatNumber(Math.round(chart.xMaxS))} s`,
    peak ? `highest ${formatNumber(peak.value as number)} at ${formatNumber(Math.round(mid(peak)))} s` : 'no values',
    ...(chart.limit ? [chart.limit.label] : []),
    ...(chart.compare ? [`dashed: ${chart.compare.label}, ${chart.compare.points.filter((point) => point.value !== null).length} values`] : []),
    ...marks.bands.map((band) => `fault "${band.label}" from ${band.fromS.toFixed(1)} s to ${band.toS.toFixed(1)} s`),
    ...(marks.markers.length > 0 ? [`${marks.markers.length} worker kill round(s)`] : []),
  ];
  return `${parts.join('; ')}.`;
}

/**
 * One chart over the run's time as inline SVG: faults shaded behind, worker kills as dashed
 * lines, the values (bars or a line), and the limit line. `shared` makes charts shown side by
 * side use one scale, so naive and hardened compare at a glance. `<title>`/`<desc>` give screen readers
 * the gist; the report puts the numbers in a table beside it.
 */
export function timeChartSvg(chart: TimeChart, marks: FaultMarks, id: string, shared: { peak: number; xMaxS: number } = { peak: 0, xMaxS: 0 }): string {
  const { width, height, left, right, top, bottom } = frame;
  const yTicks = ticks(Math.max(chartPeak(chart), shared.peak) * 1.05 || 1, 5, chart.integers);
  const yMax = yTicks[yTicks.length - 1] as number;
  const xMax = Math.max(chart.xMaxS, shared.xMaxS, ...marks.bands.map((band) => band.toS), 1);
  const xTicks = ticks(xMax, 6).filter((tick) => tick <= xMax);
  const x = scale(xMax, left, width - right);
  const y = scale(yMax, height - bottom, top);
  const parts = gridMarkup(yTicks, xTicks, x, y);
  for (const band of marks.bands) {
    parts.push(`<rect class="fault-band${band.failed ? ' failed' : ''}" x="${c(x(band.fromS))}" y="${top}" width="${c(Math.max(2, x(band.toS) - x(band.fromS)))}" height="${height - top - bottom}">`
      + `<title>fault: ${escapeHtml(band.label)} (${band.fromS.toFixed(1)}–${band.toS.toFixed(1)} s)</title></rect>`);
  }
  for (const marker of marks.markers) {
    parts.push(`<line class="kill" x1="${c(x(marker.atS))}" x2="${c(x(marker.atS))}" y1="${top}" y2="${height - bottom}"><title>${escapeHtml(marker.label)}</title></line>`);
  }
  if (chart.range && chart.range.length > 0) {
    const d = chart.range.map((window) => `M${c(x(window.fromS))} ${c(y(window.max))}H${c(x(window.toS))}V${c(y(window.min))}H${c(x(window.fromS))}Z`).join('');
    parts.push(`<path class="range" d="${d}"/>`);
  }
  if (chart.style === 'bars') {
    parts.push(`<path class="series bars" d="${barsPath(chart.points, x, y)}"/>`);
  } else {
    const { d, dots } = linePath(chart.points, x, y);
    parts.push(`<path class="series line" d="${d}"/>`, dots);
  }
  if (chart.compare) {
    const { d } = linePath(chart.compare.points, x, y);
    parts.push(`<path class="series compare" d="${d}"/>`,
      `<text class="legend" x="${left + 6}" y="${top + 12}">▮ ${escapeHtml(chart.compare.seriesLabel)}  ╌ ${escapeHtml(chart.compare.label)}</text>`);
  }
  if (chart.limit) parts.push(...limitMarkup(chart.limit, y));
  parts.push(...axesMarkup('seconds since the run start', chart.yLabel));
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-t ${id}-d" xmlns="http://www.w3.org/2000/svg">`
    + `<title id="${id}-t">${escapeHtml(chart.title)}</title><desc id="${id}-d">${escapeHtml(describe(chart, marks))}</desc>${parts.join('')}</svg>`;
}
