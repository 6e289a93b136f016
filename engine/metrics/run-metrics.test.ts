import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../stack/random.js';
import { aggregate, parseAggregation, type Aggregation } from './aggregate.js';
import { chatMetrics, mergeSnapshots, RunMetrics, type MetricsSnapshot } from './run-metrics.js';
import type { MetricSeries } from './snapshot.js';

const start = 1_700_000_000_000;
const aggregations = ['avg', 'min', 'max', 'med', 'p(50)', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)', 'p(0.1)', 'p(100)']
  .map((text) => parseAggregation(text) as Aggregation);

function stats(snapshot: MetricsSnapshot, name: string) {
  const series = snapshot.metrics[name] as MetricSeries;
  const context = { durationMs: snapshot.endedAt - snapshot.startedAt, trendScale: snapshot.trendScale };
  const of = (values: MetricSeries['total']) => aggregations.map((a) => aggregate('trend', values, a, context));
  return { total: of(series.total), windows: series.windows.map((w) => [w.index, (w as { count: number }).count, of(w)]) };
}

describe('RunMetrics', () => {
  it('keeps each metric for the whole run and per window by sample time', () => {
    const metrics = new RunMetrics(chatMetrics, { now: () => start, windowMs: 10_000 });
    metrics.add('chat_ttft', 120, start + 1_000);
    metrics.add('chat_ttft', 480, start + 12_000);
    metrics.add('chat_messages', 1, start + 1_000);
    metrics.add('chat_messages', 2, start + 25_000);
    metrics.rate('chat_errors', true, start + 3_000);
    metrics.rate('chat_errors', false, start + 4_000);
    const snapshot = metrics.snapshot();
    const ttft = snapshot.metrics.chat_ttft as MetricSeries & { type: 'trend' };
    expect(ttft.total).toMatchObject({ count: 2, min: 120_000, max: 480_000 });
    expect(ttft.windows.map((w) => [w.index, w.count])).toEqual([[0, 1], [1, 1]]);
    const messages = snapshot.metrics.chat_messages as MetricSeries & { type: 'counter' };
    expect(messages.total.sum).toBe(3);
    expect(messages.windows.map((w) => [w.index, w.sum])).toEqual([[0, 1], [2, 2]]);
    const errors = snapshot.metrics.chat_errors as MetricSeries & { type: 'rate' };
    expect(errors.total).toEqual({ hits: 1, total: 2 });
    expect(snapshot.metrics.session_turns_lost).toMatchObject({ type: 'counter', total: { sum: 0, samples: 0 }, windows: [] });
  });

  it('keeps sub-millisecond trend samples apart (µs resolution) and reports them in ms', () => {
    const metrics = new RunMetrics(chatMetrics, { now: () => start });
    metrics.add('chat_ttft', 0.25);
    metrics.add('chat_ttft', 0.75);
    expect(metrics.stat('chat_ttft', 'min')).toBe(0.25);
    expect(metrics.stat('chat_ttft', 'max')).toBe(0.75);
    expect(metrics.stat('chat_ttft', 'avg')).toBe(0.5);
  });

  it('tracks gauges as last, min and max', () => {
    const metrics = new RunMetrics([{ name: 'open_sessions', type: 'gauge' }], { now: () => start });
    for (const [value, at] of [[5, 1], [9, 2], [2, 3]] as const) metrics.add('open_sessions', value, start + at);
    expect(metrics.snapshot().metrics.open_sessions?.total).toEqual({ last: 2, lastAt: start + 3, min: 2, max: 9, samples: 3 });
    expect(metrics.stat('open_sessions', 'value')).toBe(2);
  });

  it('answers live aggregations in k6 words for a progress line', () => {
    let now = start;
    const metrics = new RunMetrics(chatMetrics, { now: () => now });
    expect(metrics.stat('chat_errors', 'rate')).toBeNull();
    expect(metrics.stat('chat_ttft', 'p(95)')).toBe(0);
    for (let i = 1; i <= 100; i++) metrics.add('chat_ttft', i * 10);
    metrics.add('chat_messages', 30);
    now = start + 10_000;
    expect(metrics.stat('chat_ttft', 'p(95)')).toBeCloseTo(950, -1);
    expect(metrics.stat('chat_messages', 'rate')).toBe(3);
  });

  it('refuses unknown metrics, wrong recording calls and impossible samples with clear errors', () => {
    const metrics = new RunMetrics(chatMetrics);
    expect(() => metrics.add('chat_ttfb', 1)).toThrow(/unknown metric chat_ttfb/);
    expect(() => metrics.add('chat_errors', 1)).toThrow(/is a rate: record it with rate/);
    expect(() => metrics.rate('chat_ttft', true)).toThrow(/not a rate/);
    expect(() => metrics.add('chat_ttft', Number.NaN)).toThrow(/not a finite number/);
    expect(() => metrics.add('chat_ttft', -1)).toThrow(/negative/);
    expect(() => metrics.stat('chat_errors', 'p(95)')).toThrow(/a rate allows: rate/);
    expect(() => new RunMetrics([...chatMetrics, { name: 'chat_ttft', type: 'trend' }])).toThrow(/defined twice/);
  });
});

describe('mergeSnapshots', () => {
  it('merges two halves into exactly the whole: every percentile, per window too, after JSON', () => {
    const random = seededRandom(42);
    const whole = new RunMetrics(chatMetrics, { now: () => start + 60_000, startedAt: start });
    const halves = [0, 1].map(() => new RunMetrics(chatMetrics, { now: () => start + 60_000, startedAt: start }));
    for (let i = 0; i < 20_000; i++) {
      const at = start + Math.floor(random() * 60_000);
      const ttft = Math.exp(random() * 9) * (1 + random());
      const tokens = Math.floor(random() * 1e5) + 1;
      const half = halves[i % 2] as RunMetrics;
      for (const metrics of [whole, half]) {
        metrics.add('chat_ttft', ttft, at);
        metrics.add('llm_input_tokens_per_turn', tokens, at);
        metrics.add('chat_messages', 1, at);
        metrics.rate('chat_errors', ttft > 3000, at);
      }
    }
    const roundTrip = (s: MetricsSnapshot) => JSON.parse(JSON.stringify(s)) as MetricsSnapshot;
    const merged = mergeSnapshots(roundTrip((halves[0] as RunMetrics).snapshot()), roundTrip((halves[1] as RunMetrics).snapshot()));
    const expected = whole.snapshot();
    for (const name of ['chat_ttft', 'llm_input_tokens_per_turn']) {
      expect(stats(merged, name)).toEqual(stats(expected, name));
    }
    expect(stats(merged, 'chat_ttft').windows).toHaveLength(6);
    expect(merged.metrics.chat_messages).toEqual(expected.metrics.chat_messages);
    expect(merged.metrics.chat_errors).toEqual(expected.metrics.chat_errors);
  });

  it('takes the later gauge value and refuses snapshots that cannot be merged', () => {
    const at = (now: number) => new RunMetrics([{ name: 'g', type: 'gauge' }], { now: () => now, startedAt: start });
    const a = at(start + 5);
    const b = at(start + 5);
    a.add('g', 7, start + 4);
    b.add('g', 3, start + 2);
    expect(mergeSnapshots(a.snapshot(), b.snapshot()).metrics.g?.total).toEqual({ last: 7, lastAt: start + 4, min: 3, max: 7, samples: 2 });
    const other = new RunMetrics([{ name: 'g', type: 'gauge' }], { windowMs: 5_000 }).snapshot();
    expect(() => mergeSnapshots(a.snapshot(), other)).toThrow(/different window sizes/);
    const retyped = new RunMetrics([{ name: 'g', type: 'counter' }], { startedAt: start }).snapshot();
    expect(() => mergeSnapshots(a.snapshot(), retyped)).toThrow(/cannot merge metric g/);
  });
});
