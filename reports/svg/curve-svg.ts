import { axesMarkup, coordinate as c, frame, gridMarkup, limitMarkup, scale, ticks } from './axis.js';
import { escapeHtml } from '../escape.js';
import { formatNumber } from '../format.js';

export interface CurveSeries {
  label: string;
  /** y null: no value at that x (the line breaks). */
  points: Array<{ x: number; y: number | null }>;
}

export interface CurveChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: CurveSeries[];
  limit?: { value: number; label: string };
  /** x values to mark with a dashed vertical line, e.g. the first step that broke. */
  marks?: Array<{ x: number; label: string }>;
}

// Told apart by dash as well as by shade, so the chart reads in print and without colour.
const seriesStyles = ['', ' stroke-dasharray="6 3"', ' stroke-dasharray="2 3"', ' stroke-dasharray="10 3 2 3"'];
const seriesOpacity = [1, 0.8, 0.6, 0.5];

function path(series: CurveSeries, x: (v: number) => number, y: (v: number) => number, index: number): string {
  let d = '';
  let pen = false;
  let dots = '';
  for (const point of series.points) {
    if (point.y === null) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${c(x(point.x))} ${c(y(point.y))}`;
    dots += `<circle class="point" cx="${c(x(point.x))}" cy="${c(y(point.y))}" r="3" opacity="${seriesOpacity[index % 4]}"/>`;
    pen = true;
  }
  return `<path class="series line" d="${d}" opacity="${seriesOpacity[index % 4]}"${seriesStyles[index % 4]}><title>${escapeHtml(series.label)}</title></path>${dots}`;
}

/** The legend as SVG text in the top-left corner: a short sample of each series' line, then its name. */
function legend(chart: CurveChart): string {
  return chart.series.map((series, index) => {
    const y = frame.top + 12 + index * 14;
    return `<line class="series line" x1="${frame.left + 8}" x2="${frame.left + 30}" y1="${y - 4}" y2="${y - 4}" opacity="${seriesOpacity[index % 4]}"${seriesStyles[index % 4]}/>`
      + `<text class="tick" x="${frame.left + 34}" y="${y}">${escapeHtml(series.label)}</text>`;
  }).join('');
}

/**
 * Values against a numeric x (an offered rate), one line per series, with an optional limit line
 * and marked x values, as inline SVG; the page shows the same numbers in a table beside it.
 */
export function curveSvg(chart: CurveChart, id: string): string {
  const { width, height, left, right, top, bottom } = frame;
  const xs = chart.series.flatMap((series) => series.points.map((point) => point.x));
  const ys = chart.series.flatMap((series) => series.points.flatMap((point) => (point.y === null ? [] : [point.y])));
  const yTicks = ticks(Math.max(0, ...ys, chart.limit?.value ?? 0) * 1.05 || 1, 5);
  const yMax = yTicks.at(-1) as number;
  const xTicks = ticks(Math.max(1, ...xs), 6);
  const xMax = xTicks.at(-1) as number;
  const x = scale(xMax, left, width - right);
  const y = scale(yMax, height - bottom, top);
  const parts = gridMarkup(yTicks, xTicks, x, y);
  for (const mark of chart.marks ?? []) {
    parts.push(`<line class="kill" x1="${c(x(mark.x))}" x2="${c(x(mark.x))}" y1="${top}" y2="${height - bottom}"><title>${escapeHtml(mark.label)}</title></line>`);
  }
  chart.series.forEach((series, index) => parts.push(path(series, x, y, index)));
  if (chart.limit) parts.push(...limitMarkup(chart.limit, y));
  parts.push(legend(chart), ...axesMarkup(chart.xLabel, chart.yLabel));
  const description = chart.series.map((series) => `${series.label}: ${series.points.map((point) => `${formatNumber(point.x)} → ${point.y === null ? 'none' : formatNumber(point.y)}`).join(', ')}`).join('; ');
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-t ${id}-d" xmlns="http://www.w3.org/2000/svg">`
    + `<title id="${id}-t">${escapeHtml(chart.title)}</title><desc id="${id}-d">${escapeHtml(`${description}.`)}</desc>${parts.join('')}</svg>`;
}
