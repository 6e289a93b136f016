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
