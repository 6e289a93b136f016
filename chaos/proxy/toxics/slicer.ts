import type { Random } from '../../../stack/random.js';
import { ToxicAttributeError, type ToxicKind } from '../toxic.js';
import { requireInteger, type GoField } from './attribute-checks.js';
import { TimedRelease } from './timed-release.js';

/** Sizes in bytes, `delay` in microseconds between pieces. */
export type SlicerAttributes = { average_size: number; size_variation: number; delay: number };

const field = (name: string): GoField => ({ struct: 'SlicerToxic', name, type: 'int' });

/**
 * Piece lengths for a chunk of `length` bytes: halve (± variation) until every piece is within
 * average + variation, so no short leftover piece sits at either end. Every piece has at least
 * one byte; Toxiproxy can cut empty or negative pieces there and loop or crash.
 */
export function slicePieces(length: number, average: number, variation: number, random: Random): number[] {
  const pieces: number[] = [];
  const cut = (size: number): void => {
    if (size - average <= variation) {
      pieces.push(size);
      return;
    }
    const offset = variation > 0 ? Math.floor(random() * 2 * variation) - variation : 0;
    const left = Math.min(size - 1, Math.max(1, Math.floor(size / 2) + offset));
    cut(left);
    cut(size - left);
  };
  if (length > 0) cut(length);
  return pieces;
}

/** Cuts data into average_size ± size_variation byte pieces with `delay` µs between them. */
export const slicerToxic: ToxicKind<SlicerAttributes> = {
  type: 'slicer',
  defaults: { average_size: 0, size_variation: 0, delay: 0 },
  validate(attributes) {
    const average = requireInteger(attributes, field('average_size'), 0,
      'slicer toxic: average_size must be 0 or more bytes');
    const variation = requireInteger(attributes, field('size_variation'), 0,
      'slicer toxic: size_variation must be 0 or more bytes');
    requireInteger(attributes, field('delay'), 0, 'slicer toxic: delay must be 0 or more microseconds');
    if (average === 0 && variation === 0) {
      throw new ToxicAttributeError('slicer toxic: average_size must be more than 0 (Toxiproxy loops forever on 0 with size_variation 0)');
    }
    if (variation > average) {
      throw new ToxicAttributeError('slicer toxic: size_variation must not exceed average_size (Toxiproxy can crash on it)');
    }
  },
  createStage(context, attributes, next) {
    const release = new TimedRelease(next);
    const delayMs = (): number => attributes().delay / 1000;
    return {
      write(chunk) {
        const { average_size, size_variation } = attributes();
        const gap = delayMs();
        const now = performance.now();
        // Toxiproxy waits `delay` after every piece, the last of a chunk included.
        let dueAt = Math.max(now, release.lastDueAt + gap);
        let start = 0;
        for (const size of slicePieces(chunk.length, average_size, size_variation, context.random)) {
          release.hold(chunk.subarray(start, start + size), dueAt, now);
          start += size;
          dueAt += gap;
        }
      },
      end: () => release.end(),
      updated() {
        const now = performance.now();
        release.retime((_held, previous) => (previous === undefined ? now : previous + delayMs()));
      },
      remove: () => release.flush(),
      destroy: () => release.cancel(),
    };
  },
};
