import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ToxicAttributeError } from '../toxic.js';
import { natIdleToxic } from './nat-idle.js';
import { buildStage, eventKinds, validateAsSent } from './stage-test-kit.js';

describe('nat_idle stage', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('blackholes an idle connection after idle_ms, then drops data and swallows the end', () => {
    const link = buildStage(natIdleToxic, { idle_ms: 600 });
    link.write('before');
    vi.advanceTimersByTime(599);
    expect(eventKinds(link.events)).toEqual(['write']);
    vi.advanceTimersByTime(1);
    expect(eventKinds(link.events)).toEqual(['write', 'blackhole']);
    link.write('after');
    link.stage.end();
    expect(link.output()).toBe('before');
    expect(eventKinds(link.events)).toEqual(['write', 'blackhole']);
    expect(link.droppedBytes()).toBe(5);
  });

  it('keeps a connection with traffic in either direction every idle_ms/3', () => {
    const link = buildStage(natIdleToxic, { idle_ms: 600 });
    for (let step = 0; step < 30; step += 1) {
      vi.advanceTimersByTime(200);
      // Activity on the other direction reaches this stage only through the connection.
      if (step % 2 === 0) link.activity();
      else link.write('x');
    }
    expect(eventKinds(link.events).filter((kind) => kind !== 'write')).toEqual([]);
    vi.advanceTimersByTime(600);
    expect(eventKinds(link.events).at(-1)).toBe('blackhole');
  });

  it('resets both ways in reset mode', () => {
    const link = buildStage(natIdleToxic, { idle_ms: 100, mode: 'reset' });
    vi.advanceTimersByTime(100);
    expect(eventKinds(link.events)).toEqual(['reset']);
  });

  it('never brings a dropped mapping back, and destroys it when removed', () => {
    const link = buildStage(natIdleToxic, { idle_ms: 100 });
    vi.advanceTimersByTime(100);
    link.update({ idle_ms: 100_000 });
    vi.advanceTimersByTime(1);
    link.write('x');
    expect(link.output()).toBe('');
    link.stage.remove();
    expect(eventKinds(link.events)).toEqual(['blackhole', 'close']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves a connection it never dropped alone when removed', () => {
    const link = buildStage(natIdleToxic, { idle_ms: 100 });
    link.stage.remove();
    vi.advanceTimersByTime(1000);
    expect(link.events).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('applies a shorter idle_ms to a live connection', () => {
    const link = buildStage(natIdleToxic, { idle_ms: 60_000 });
    vi.advanceTimersByTime(1000);
    link.update({ idle_ms: 500 });
    vi.advanceTimersByTime(1);
    expect(eventKinds(link.events)).toEqual(['blackhole']);
  });

  it('accepts idle_ms ≥ 1 and mode blackhole or reset, with 30 s blackhole by default', () => {
    expect(natIdleToxic.defaults).toEqual({ idle_ms: 30_000, mode: 'blackhole' });
    expect(() => natIdleToxic.validate({ idle_ms: 0, mode: 'blackhole' })).toThrow(ToxicAttributeError);
    expect(() => validateAsSent(natIdleToxic, { idle_ms: 10, mode: 'drop' })).toThrow('nat_idle toxic: mode must be blackhole or reset');
    expect(() => validateAsSent(natIdleToxic, { idle_ms: 10, mode: 3 })).toThrow(/NatIdleToxic\.attributes\.mode of type string/);
    expect(() => natIdleToxic.validate({ idle_ms: 10, mode: 'reset' })).not.toThrow();
  });
});
