import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ToxicAttributeError } from '../toxic.js';
import { latencyToxic } from './latency.js';
import { buildStage, eventKinds, validateAsSent } from './stage-test-kit.js';

describe('latency stage', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delays each chunk by the latency and passes the end after the last one', () => {
    const link = buildStage(latencyToxic, { latency: 300 });
    link.write('a');
    vi.advanceTimersByTime(100);
    link.write('b');
    link.stage.end();
    vi.advanceTimersByTime(198);
    expect(link.events).toEqual([]);
    vi.advanceTimersByTime(2);
    expect(link.output()).toBe('a');
    vi.advanceTimersByTime(100);
    expect(link.output()).toBe('ab');
    expect(eventKinds(link.events)).toEqual(['write', 'write', 'end']);
    expect(link.events[0]?.at).toBeGreaterThanOrEqual(299);
  });

  it('keeps order even when jitter would let a later chunk overtake', () => {
    const link = buildStage(latencyToxic, { latency: 100, jitter: 90 }, { seed: 7 });
    const sent = Array.from({ length: 50 }, (_, index) => String.fromCharCode(65 + (index % 26)));
    for (const text of sent) link.write(text);
    vi.advanceTimersByTime(200);
    expect(link.output()).toBe(sent.join(''));
  });

  it('spreads delays over latency ± jitter, the same for the same seed', () => {
    const releaseTimes = (seed: number): number[] => {
      const times: number[] = [];
      for (let index = 0; index < 40; index += 1) {
        const link = buildStage(latencyToxic, { latency: 100, jitter: 50 }, { seed: seed + index });
        const start = performance.now();
        link.write('x');
        vi.advanceTimersByTime(200);
        times.push((link.events[0]?.at ?? Infinity) - start);
      }
      return times;
    };
    const first = releaseTimes(1);
    expect(Math.min(...first)).toBeGreaterThanOrEqual(49);
    expect(Math.max(...first)).toBeLessThanOrEqual(151);
    expect(Math.max(...first) - Math.min(...first)).toBeGreaterThan(40);
    expect(releaseTimes(1)).toEqual(first);
  });

  it('applies an update to what it holds, measured from arrival', () => {
    const link = buildStage(latencyToxic, { latency: 1000 });
    link.write('a');
    vi.advanceTimersByTime(100);
    link.update({ latency: 200 });
    vi.advanceTimersByTime(90);
    expect(link.output()).toBe('');
    vi.advanceTimersByTime(10);
    expect(link.output()).toBe('a');
  });

  it('hands on everything held, in order, when removed', () => {
    const link = buildStage(latencyToxic, { latency: 5000 });
    link.write('a');
    link.write('b');
    link.stage.end();
    link.stage.remove();
    expect(eventKinds(link.events)).toEqual(['write', 'write', 'end']);
    expect(link.output()).toBe('ab');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('forwards nothing and releases its timer once destroyed', () => {
    const link = buildStage(latencyToxic, { latency: 100 });
    link.write('a');
    link.stage.destroy();
    vi.advanceTimersByTime(500);
    expect(link.events).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects negative and non-integer times with Toxiproxy-style messages', () => {
    expect(() => latencyToxic.validate({ latency: -1, jitter: 0 })).toThrow(ToxicAttributeError);
    expect(() => latencyToxic.validate({ latency: 1.5, jitter: 0 })).toThrow(
      'bad request body: json: cannot unmarshal number 1.5 into Go struct field LatencyToxic.attributes.latency of type int64',
    );
    expect(() => validateAsSent(latencyToxic, { latency: 10, jitter: '5' })).toThrow(/cannot unmarshal string/);
    expect(() => latencyToxic.validate({ latency: 10, jitter: 5 })).not.toThrow();
    expect(latencyToxic.defaults).toEqual({ latency: 0, jitter: 0 });
  });
});
