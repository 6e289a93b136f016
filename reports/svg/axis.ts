import { escapeHtml } from '../escape.js';
import { formatNumber } from '../format.js';

/** The chart area inside an SVG's viewBox, in viewBox units. */
export interface Frame { width: number; height: number; left: number; right: number; top: number; bottom: number }

export const frame: Frame = { width: 640, height: 220, left: 60, right: 16, top: 14, bottom: 40 };

/** A round step (1, 2 or 5 × 10^n) that cuts [0, max] into about `count` parts; whole numbers for counts. */
export function niceStep(max: number, count = 5, integers = false): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= raw) as number;
  return integers ? Math.max(1, Math.round(step)) : step;
}

/** Ticks from 0 to the first round value at or above max. */
export function ticks(max: number, count = 5, integers = false): number[] {
  const step = niceStep(max, count, integers);
  const top = Math.max(step, Math.ceil(max / step - 1e-9) * step);
  return Array.from({ length: Math.round(top / step) + 1 }, (_, index) => index * step);
}

/** Linear map from data to viewBox units. */
export function scale(domainMax: number, from: number, to: number): (value: number) => number {
  const span = domainMax > 0 ? domainMax : 1;
  return (value) => from + ((to - from) * value) / span;
}

/** Coordinates kept short, so a long run's paths stay small. */
export const coordinate = (value: number) => (Math.round(value * 10) / 10).toString();

/** A tick's label: compact for big numbers (12k, 1.5M). */
export function tickLabel(value: number): string {
  if (Math.abs(value) >= 1e6) return `${formatNumber(value / 1e6)}M`;
  if (Math.abs(value) >= 1e4) return `${formatNumber(value / 1e3)}k`;
  return formatNumber(value);
}

type Scale = (value: number) => number;

/** The horizontal grid with the y ticks' labels, and the x ticks' labels under the chart area. */
export function gridMarkup(yTicks: number[], xTicks: number[], x: Scale, y: Scale): string[] {
  const { width, height, left, right, bottom } = frame;
  const parts: string[] = [];
  for (const tick of yTicks) {
    parts.push(`<line class="grid" x1="${left}" x2="${width - right}" y1="${coordinate(y(tick))}" y2="${coordinate(y(tick))}"/>`,
      `<text class="tick" x="${left - 6}" y="${coordinate(y(tick) + 4)}" text-anchor="end">${tickLabel(tick)}</text>`);
  }
  for (const tick of xTicks) parts.push(`<text class="tick" x="${coordinate(x(tick))}" y="${height - bottom + 16}" text-anchor="middle">${tickLabel(tick)}</text>`);
  return parts;
}

/** A limit (an SLO, a gate) as a dashed line across the chart, labelled at its right end. */
export function limitMarkup(limit: { value: number; label: string }, y: Scale): string[] {
  const { width, left, right } = frame;
  const ly = coordinate(y(limit.value));
  return [`<line class="limit" x1="${left}" x2="${width - right}" y1="${ly}" y2="${ly}"/>`,
    `<text class="limit-label" x="${width - right - 4}" y="${coordinate(y(limit.value) - 4)}" text-anchor="end">${escapeHtml(limit.label)}</text>`];
}

/** The x axis line and both axis labels. */
export function axesMarkup(xLabel: string, yLabel: string): string[] {
  const { width, height, left, right, top, bottom } = frame;
  const middle = coordinate((top + height - bottom) / 2);
  return [`<line class="axis" x1="${left}" x2="${width - right}" y1="${height - bottom}" y2="${height - bottom}"/>`,
    `<text class="axis-label" x="${coordinate((left + width - right) / 2)}" y="${height - 6}" text-anchor="middle">${escapeHtml(xLabel)}</text>`,
    `<text class="axis-label" x="12" y="${middle}" text-anchor="middle" transform="rotate(-90 12 ${middle})">${escapeHtml(yLabel)}</text>`];
}
