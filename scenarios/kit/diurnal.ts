/**
 * The JST day of a Japanese manga store's chat: quiet from 2 to 6 a.m., a lunch bump, and the
 * evening peak at 19-22 JST (seed 004 s1) at about 3x the mean, as DESIGN.md puts 1M msg/day
 * (11.6 msg/s mean, about 35 msg/s at the peak).
 */
import type { Arrivals } from '../../engine/arrivals.ts';

// The relative rate at each hour's start, 00:00 to 23:00 JST, before normalising to a mean of 1.
const hourlyShape = [
  1.25, 0.75, 0.42, 0.26, 0.2, 0.22, 0.34, 0.55, 0.68, 0.72, 0.75, 0.85,
  1.1, 0.95, 0.8, 0.78, 0.85, 1.0, 1.35, 2.05, 2.8, 3.3, 2.6, 1.85,
];
const shapeMean = hourlyShape.reduce((sum, value) => sum + value, 0) / hourlyShape.length;

/** The rate at each hour's start relative to the day's mean (mean exactly 1, peak 3.0 at 21:00). */
export const jstHourlyFactors: readonly number[] = hourlyShape.map((value) => value / shapeMean);

/**
 * A JST day compressed into `durationMs`: a ramping arrival rate through the 24 hourly points and
 * back to midnight, linear in between as k6's ramping-arrival-rate ramps. Because the curve is
 * closed and the stages (nearly) equal, its time-average is `meanPerSecond`.
 */
export function diurnalArrivals(meanPerSecond: number, durationMs: number): Arrivals {
  const hours = jstHourlyFactors.length;
  // Whole milliseconds (k6 stage durations), the last stage taking what rounding left over.
  const stageMs = Math.round(durationMs / hours);
  const rate = (hour: number) => meanPerSecond * (jstHourlyFactors[hour % hours] as number);
  return {
    kind: 'ramping',
    startPerSecond: rate(0),
    stages: jstHourlyFactors.map((_, hour) => ({
      targetPerSecond: rate(hour + 1),
      durationMs: hour < hours - 1 ? stageMs : durationMs - stageMs * (hours - 1),
    })),
  };
}
