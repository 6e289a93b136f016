import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { seededRandom } from '../../../stack/random.js';
import { ToxicAttributeError } from '../toxic.js';
import { slicePieces, slicerToxic } from './slicer.js';
import { buildStage, eventKinds } from './stage-test-kit.js';

describe('slicer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('cuts into pieces of average ± variation that add up to the chunk', () => {
    const pieces = slicePieces(10_000, 100, 20, seededRandom(3));
    expect(pieces.reduce((sum, size) => sum + size, 0)).toBe(10_000);
    expect(Math.max(...pieces)).toBeLessThanOrEqual(120);
    expect(Math.min(...pieces)).toBeGreaterThanOrEqual(40);
    expect(pieces.length).toBeGreaterThan(70);
  });

  it('never cuts an empty piece, even where variation equals the average', () => {
    for (let seed = 1; seed <= 50; seed += 1) {
      const pieces = slicePieces(997, 3, 3, seededRandom(seed));
      expect(Math.min(...pieces)).toBeGreaterThanOrEqual(1);
      expect(pieces.reduce((sum, size) => sum + size, 0)).toBe(997);
    }
  });

  it('sends the pieces in order with `delay` microseconds between them', () => {
    const link = buildStage(slicerToxic, { average_size: 2, size_variation: 0, delay: 10_000 });
    link.write('abcdefgh');
    expect(link.output()).toBe('ab');
    vi.advanceTimersByTime(10);
    expect(link.output()).toBe('abcd');
    link.stage.end();
    vi.advanceTimersByTime(20);
    expect(link.output()).toBe('abcdefgh');
    expect(eventKinds(link.events)).toEqual(['write', 'write', 'write', 'write', 'end']);
  });

  it('waits the delay after the last piece before the next chunk', () => {
    const link = buildStage(slicerToxic, { average_size: 2, size_variation: 0, delay: 10_000 });
    link.write('ab');
    link.write('cd');
    expect(link.output()).toBe('ab');
    vi.advanceTimersByTime(10);
    expect(link.output()).toBe('abcd');
  });

  it('hands on the rest at once when removed', () => {
    const link = buildStage(slicerToxic, { average_size: 1, size_variation: 0, delay: 1_000_000 });
    link.write('abc');
    link.stage.remove();
    expect(link.output()).toBe('abc');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects sizes the real server loops forever or crashes on', () => {
    const valid = { average_size: 10, size_variation: 5, delay: 0 };
    expect(() => slicerToxic.validate(valid)).not.toThrow();
    expect(() => slicerToxic.validate({ ...valid, average_size: 0, size_variation: 0 })).toThrow(/loops forever/);
    expect(() => slicerToxic.validate({ ...valid, size_variation: 11 })).toThrow(/must not exceed/);
    expect(() => slicerToxic.validate({ ...valid, delay: -1 })).toThrow(ToxicAttributeError);
    expect(() => slicerToxic.validate({ ...valid, delay: 0.5 })).toThrow(/SlicerToxic\.attributes\.delay of type int/);
    expect(slicerToxic.defaults).toEqual({ average_size: 0, size_variation: 0, delay: 0 });
  });
});
