import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ToxicAttributeError } from '../toxic.js';
import { bandwidthToxic } from './bandwidth.js';
import { buildStage, eventKinds } from './stage-test-kit.js';

const bytesOut = (events: readonly { kind: string; text?: string }[]): number =>
  events.reduce((sum, event) => sum + (event.text?.length ?? 0), 0);

describe('bandwidth stage', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets a backlog out at the rate (KB/s of 1000 bytes), in order, then the end', () => {
    const link = buildStage(bandwidthToxic, { rate: 10 });
    const sent = 'abcdefghij'.repeat(2000);
    link.write(sent.slice(0, 12_000));
    link.write(sent.slice(12_000));
    link.stage.end();
    vi.advanceTimersByTime(1000);
    expect(bytesOut(link.events)).toBeGreaterThanOrEqual(9_900);
    expect(bytesOut(link.events)).toBeLessThanOrEqual(10_000);
    vi.advanceTimersByTime(1000);
    expect(link.output()).toBe(sent);
    expect(eventKinds(link.events).at(-1)).toBe('end');
  });

  it('holds everything at rate 0 until an update lets it go at the new rate', () => {
    const link = buildStage(bandwidthToxic, { rate: 0 });
    link.write('x'.repeat(5000));
    vi.advanceTimersByTime(10_000);
    expect(link.events).toEqual([]);
    link.update({ rate: 5 });
    vi.advanceTimersByTime(500);
    expect(bytesOut(link.events)).toBeGreaterThanOrEqual(2_400);
    expect(bytesOut(link.events)).toBeLessThanOrEqual(2_500);
    vi.advanceTimersByTime(500);
    expect(bytesOut(link.events)).toBe(5000);
  });

  it('applies a rate change to a live backlog', () => {
    const link = buildStage(bandwidthToxic, { rate: 1 });
    link.write('x'.repeat(20_000));
    vi.advanceTimersByTime(1000);
    expect(bytesOut(link.events)).toBeLessThanOrEqual(1000);
    link.update({ rate: 100 });
    vi.advanceTimersByTime(200);
    expect(bytesOut(link.events)).toBe(20_000);
  });

  it('flushes what it holds, in order, when removed', () => {
    const link = buildStage(bandwidthToxic, { rate: 0 });
    link.write('a');
    link.write('b');
    link.stage.end();
    link.stage.remove();
    expect(link.output()).toBe('ab');
    expect(eventKinds(link.events)).toEqual(['write', 'write', 'end']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('releases its timer when destroyed', () => {
    const link = buildStage(bandwidthToxic, { rate: 1 });
    link.write('x'.repeat(5000));
    link.stage.destroy();
    vi.advanceTimersByTime(10_000);
    expect(link.events).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects a negative rate, which crashes the real server', () => {
    expect(() => bandwidthToxic.validate({ rate: -1 })).toThrow(ToxicAttributeError);
    expect(() => bandwidthToxic.validate({ rate: -1 })).toThrow(/negative rate/);
    expect(() => bandwidthToxic.validate({ rate: 0 })).not.toThrow();
    expect(bandwidthToxic.defaults).toEqual({ rate: 0 });
  });
});
