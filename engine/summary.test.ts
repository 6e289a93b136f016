import { describe, expect, it } from 'vitest';
import { chatMetrics, mergeSnapshots, RunMetrics, type MetricsSnapshot } from './metrics/run-metrics.js';
import { fromK6Summary, toK6Summary } from './summary.js';
import { evaluateThresholds, type ThresholdSpec } from './thresholds.js';

const start = 1_700_000_000_000;
const thresholds: Record<string, ThresholdSpec[]> = {
  chat_ttft: ['p(95)<3000', { threshold: 'p(95)<3000', window: '10s' }, 'p(99.9)<5000'],
  chat_errors: ['rate<0.01'],
  session_context_lost: ['count==0'],
};

function recorded(): MetricsSnapshot {
  const metrics = new RunMetrics(chatMetrics, { startedAt: start, now: () => start + 20_000 });
  for (let i = 1; i <= 200; i++) {
    metrics.add('chat_ttft', i * 10, start + i * 100);
    metrics.rate('chat_errors', i === 1, start + i * 100);
    metrics.add('chat_messages', 1, start + i * 100);
  }
  return metrics.snapshot();
}

describe('toK6Summary', () => {
  it('writes k6 handleSummary shape with our thresholds, extra and encoded metrics', () => {
    const snapshot = recorded();
    const results = evaluateThresholds(snapshot, thresholds);
    const summary = toK6Summary(snapshot, results, { incident: 'flash-sale', profile: 'hardened' });
    expect(summary.state.testRunDurationMs).toBe(20_000);
    const ttft = summary.metrics.chat_ttft;
    expect(ttft).toMatchObject({ type: 'trend', contains: 'time' });
    expect(Object.keys(ttft?.values ?? {})).toEqual(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)']);
    expect(ttft?.values).toMatchObject({ avg: 1005, min: 10, max: 2000 });
    expect(ttft?.values['p(95)']).toBeCloseTo(1900, -1);
    expect(ttft?.thresholds).toEqual({ 'p(95)<3000': { ok: true }, 'p(95)<3000 (every 10s window)': { ok: true }, 'p(99.9)<5000': { ok: true } });
    expect(summary.metrics.chat_errors).toMatchObject({ type: 'rate', values: { rate: 0.005, passes: 1, fails: 199 }, thresholds: { 'rate<0.01': { ok: true } } });
    expect(summary.metrics.chat_messages).toMatchObject({ type: 'counter', values: { count: 200, rate: 10 } });
    // Without samples a metric appears only when a threshold names it, as in k6.
    expect(summary.metrics.session_context_lost?.values).toEqual({ count: 0, rate: 0 });
    expect(summary.metrics.ws_reconnects).toBeUndefined();
    expect(summary.gameday).toMatchObject({ incident: 'flash-sale', profile: 'hardened', engine: 'builtin', thresholds: results });
  });

  it('carries snapshots that survive JSON and still merge across generators', () => {
    const summary = JSON.parse(JSON.stringify(toK6Summary(recorded(), [], {}))) as ReturnType<typeof toK6Summary>;
    const snapshot = summary.gameday.snapshot as MetricsSnapshot;
    const merged = mergeSnapshots(snapshot, snapshot);
    const [doubled] = evaluateThresholds(merged, { chat_messages: ['count==400'] });
    expect(doubled?.ok).toBe(true);
    expect(merged.metrics.chat_ttft?.windows).toHaveLength(3);
  });

  it('refuses extra keys that would overwrite its own', () => {
    expect(() => toK6Summary(recorded(), [], { thresholds: [] })).toThrow(/may not set thresholds/);
  });
});

// The shape k6 v0.49 hands handleSummary(data), trimmed: what JSON.stringify(data) writes.
const k6Data = {
  root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [], checks: [] },
  options: { summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'], summaryTimeUnit: '', noColor: false },
  state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 30_512.7 },
  metrics: {
    chat_ttft: {
      type: 'trend', contains: 'time',
      values: { avg: 812.4, min: 120.1, med: 700.2, max: 4100.9, 'p(90)': 2100.5, 'p(95)': 3200.25 },
      thresholds: { 'p(95)<3000': { ok: false }, 'p(99)<5000': { ok: true } },
    },
    chat_errors: { type: 'rate', contains: 'default', values: { rate: 0, passes: 0, fails: 96 }, thresholds: { 'rate<0.01': { ok: true } } },
    session_context_lost: { type: 'counter', contains: 'default', values: { count: 0, rate: 0 }, thresholds: { 'count==0': { ok: true } } },
    data_sent: { type: 'counter', contains: 'data', values: { count: 48_211, rate: 1580.1 } },
    vus: { type: 'gauge', contains: 'default', values: { value: 1, min: 1, max: 20 } },
  },
};

describe('fromK6Summary', () => {
  it('reads k6 verdicts and values into the same summary shape the gates read', () => {
    const summary = fromK6Summary(JSON.parse(JSON.stringify(k6Data)), { incident: 'steady-1m-day' });
    expect(summary.gameday).toMatchObject({ engine: 'k6', snapshot: null, incident: 'steady-1m-day' });
    expect(summary.gameday.thresholds).toEqual([
      { metric: 'chat_ttft', expression: 'p(95)<3000', ok: false, observed: 3200.25 },
      // p(99) is not in summaryTrendStats, so k6 did not report it: the verdict stands, the value is unknown.
      { metric: 'chat_ttft', expression: 'p(99)<5000', ok: true, observed: null },
      { metric: 'chat_errors', expression: 'rate<0.01', ok: true, observed: 0 },
      { metric: 'session_context_lost', expression: 'count==0', ok: true, observed: 0 },
    ]);
    expect(summary.state.testRunDurationMs).toBe(30_512.7);
    expect(summary.metrics.data_sent?.contains).toBe('data');
    expect(summary.metrics.vus?.values).toEqual({ value: 1, min: 1, max: 20 });
  });

  it('explains what is wrong with JSON that is not a handleSummary dump', () => {
    expect(() => fromK6Summary({ hello: 1 })).toThrow(/no "metrics" object/);
    expect(() => fromK6Summary({ metrics: {}, state: {} })).toThrow(/testRunDurationMs/);
    const exported = { metrics: { chat_ttft: { avg: 1, 'p(95)': 2, thresholds: { 'p(95)<3000': false } } }, state: { testRunDurationMs: 1 } };
    expect(() => fromK6Summary(exported)).toThrow(/--summary-export/);
  });
});
