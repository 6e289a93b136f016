import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

/**
 * HDR histograms hold integers, so trend samples are recorded as value × TREND_SCALE, rounded:
 * a latency in ms is kept in µs, which keeps sub-millisecond TTFTs apart from 0.
 */
export const TREND_SCALE = 1000;

/** One hour in ms, scaled; larger samples still fit (autoResize), this only sizes the first allocation. */
const HIGHEST_TRACKABLE = 3_600_000 * TREND_SCALE;
const SIGNIFICANT_DIGITS = 3;

/**
 * `dense` (32-bit counts) records fastest and suits the whole-run histogram; `sparse` (packed
 * counts) keeps a long run's hundreds of per-window histograms small.
 */
export function createHistogram(kind: 'dense' | 'sparse'): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    bitBucketSize: kind === 'dense' ? 32 : 'packed',
    autoResize: true,
  });
}

export function encodeHistogram(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  const histogram = decodeFromCompressedBase64(encoded, 32, false);
  histogram.autoResize = true;
  return histogram;
}
