import { describe, expect, it } from 'vitest';
import { chatMetrics, RunMetrics } from './metrics/run-metrics.js';
import { evaluateThresholds, parseDuration, parseThreshold } from './thresholds.js';

const start = 1_700_000_000_000;

function run(record: (metrics: RunMetrics) => void, durationMs = 60_000) {
  const metrics = new RunMetrics([...chatMetrics, { name: 'open_sessions', type: 'gauge' }], { startedAt: start, now: () => start + durationMs });
  record(metrics);
  return metrics.snapshot();
}

describe('parseThreshold', () => {
  it('reads k6 expressions with any spacing, decimal percentiles and every operator', () => {
    expect(parseThreshold('p(95)<3000')).toMatchObject({ aggregation: 'p', percentile: 95, operator: '<', value: 3000 });
    expect(parseThreshold('  p( 99.9 )  <=  2000.5 ')).toMatchObject({ percentile: 99.9, operator: '<=', value: 2000.5 });
    expect(parseThreshold('count===0')).toMatchObject({ aggregation: 'count', percentile: null, operator: '===', value: 0 });
    for (const operator of ['<', '<=', '>', '>=', '==', '===', '!=']) {
      expect(parseThreshold(`rate${operator}0.01`).operator).toBe(operator);
    }
  });

  it('refuses bad syntax with an error naming the expression and what is allowed', () => {
    for (const bad of ['p95<3000', 'p(95)<', 'p(101)<1', 'avg<<3', 'mean<3', 'rate=0', '']) {
      expect(() => parseThreshold(bad)).toThrow(new RegExp(`invalid threshold "${bad.replace(/[()]/g, '\\$&')}".*Aggregations: avg, min, max, med, p\\(N\\).*Operators: <, <=`));
    }
  });
});

describe('evaluateThresholds', () => {
  it('judges trends, rates, counters and gauges over the whole run', () => {
    const snapshot = run((m) => {
      for (let i = 1; i <= 100; i++) m.add('chat_ttft', i * 40);
      for (let i = 0; i < 200; i++) m.rate('chat_errors', i < 3);
      m.add('chat_messages', 120);
      m.add('open_sessions', 12);
    });
    const results = evaluateThresholds(snapshot, {
      chat_ttft: ['p(95)<3000', 'avg<3000', 'max<=4000', 'med>1000', 'min==40'],
      chat_errors: ['rate<0.01', { threshold: 'rate<0.02', abortOnFail: true }],
      chat_messages: ['count>=120', 'rate==2'],
      open_sessions: ['value!=0'],
    });
    expect(results.map((r) => [r.expression, r.ok])).toEqual([
      ['p(95)<3000', false], ['avg<3000', true], ['max<=4000', true], ['med>1000', true], ['min==40', true],
      ['rate<0.01', false], ['rate<0.02', true],
      ['count>=120', true], ['rate==2', true],
      ['value!=0', true],
    ]);
    expect(results[0]?.observed).toBeCloseTo(3800, -1);
    expect(results[6]).toMatchObject({ abortOnFail: true, observed: 0.015 });
  });

  it('treats metrics without samples as k6 does: counters 0, rates not evaluated, trends 0', () => {
    const results = evaluateThresholds(run(() => undefined), {
      session_context_lost: ['count==0', 'rate==0'],
      chat_errors: ['rate<0.01', 'rate>0.5'],
      chat_ttft: ['p(95)<3000', 'avg>1'],
    });
    expect(results.map((r) => [r.expression, r.ok, r.observed])).toEqual([
      ['count==0', true, 0], ['rate==0', true, 0],
      ['rate<0.01', true, null], ['rate>0.5', true, null],
      ['p(95)<3000', true, 0], ['avg>1', false, 0],
    ]);
    expect(results[2]?.note).toMatch(/no samples/);
  });

  it('holds a windowed threshold only if every window with samples holds, and reports the worst', () => {
    const snapshot = run((m) => {
      for (let s = 0; s < 60; s++) {
        const slow = s >= 20 && s < 30;
        for (let i = 0; i < 10; i++) m.add('chat_ttft', slow ? 5000 : 200 + i, start + s * 1000 + i);
      }
    });
    const [whole, windowed, wide] = evaluateThresholds(snapshot, {
      chat_ttft: ['p(80)<3000', { threshold: 'p(80)<3000', window: '10s' }, { threshold: 'p(80)<3000', window: '30s' }],
    });
    expect(whole?.ok).toBe(true);
    expect(windowed).toMatchObject({ ok: false, windowed: { windowMs: 10_000, windows: 6, failedWindows: 1, worst: 5000 } });
    expect(wide).toMatchObject({ ok: false, windowed: { windowMs: 30_000, windows: 2, failedWindows: 1 } });
  });

  it('counts only windows with samples and measures a counter rate per window second', () => {
    const snapshot = run((m) => {
      m.add('chat_messages', 50, start + 1_000);
      m.add('chat_messages', 300, start + 35_000);
      m.add('session_context_lost', 0, start + 12_000);
    }, 40_000);
    const [perSecond, lost] = evaluateThresholds(snapshot, {
      chat_messages: [{ threshold: 'rate<40', window: '10s' }],
      session_context_lost: [{ threshold: 'count==0', window: '10s' }],
    });
    // The last window covers 30–40 s: 300 messages in 10 s is 30/s.
    expect(perSecond).toMatchObject({ ok: true, windowed: { windows: 2, failedWindows: 0, worst: 30 } });
    expect(lost).toMatchObject({ ok: true, windowed: { windows: 1, failedWindows: 0, worst: 0 } });
  });

  it('judges `during: plateau` over the plateau\'s whole windows only, so errors in the ramp and the drain do not count', () => {
    const snapshot = run((m) => {
      // 10 errors in 100 turns while ramping (0-10 s), 1 in 200 on the plateau (10-40 s), 5 in 5 while draining (40-50 s).
      for (let i = 0; i < 100; i++) m.rate('chat_errors', i < 10, start + 5_000);
      for (let i = 0; i < 200; i++) m.rate('chat_errors', i === 0, start + 15_000 + i * 100);
      for (let i = 0; i < 5; i++) m.rate('chat_errors', true, start + 45_000);
    }, 50_000);
    const gate = { chat_errors: [{ threshold: 'rate<0.01', during: 'plateau' as const }] };
    const [overPlateau] = evaluateThresholds(snapshot, gate, { plateau: { fromMs: 8_000, toMs: 42_000 } });
    expect(overPlateau).toMatchObject({ ok: true, observed: 0.005, during: { fromMs: 10_000, toMs: 40_000 } });
    // Without a plateau (a shape that has none) it is the whole run, and says so.
    const [whole] = evaluateThresholds(snapshot, gate);
    expect(whole).toMatchObject({ ok: false, note: 'the load has no plateau: judged over the whole run' });
    expect(whole?.observed).toBeCloseTo(16 / 305, 6);
  });

  it('refuses aggregations that do not fit the metric, unknown metrics and windows the run cannot give', () => {
    const snapshot = run(() => undefined);
    expect(() => evaluateThresholds(snapshot, { chat_errors: ['p(95)<1'] }))
      .toThrow('threshold "p(95)<1" on chat_errors: aggregation p(95) does not apply to a rate; a rate allows: rate');
    expect(() => evaluateThresholds(snapshot, { chat_ttft: ['count<1'] })).toThrow(/a trend allows: avg, min, max, med, p\(N\)/);
    expect(() => evaluateThresholds(snapshot, { open_sessions: ['rate<1'] })).toThrow(/a gauge allows: value/);
    expect(() => evaluateThresholds(snapshot, { chat_ttfb: ['p(95)<1'] })).toThrow(/"chat_ttfb", which this run does not record/);
    expect(() => evaluateThresholds(snapshot, { 'chat_ttft{kind:mobile}': ['p(95)<1'] })).toThrow(/sub-metrics/);
    expect(() => evaluateThresholds(snapshot, { chat_ttft: [{ threshold: 'p(95)<1', window: '15s' }] })).toThrow(/multiple of the run's 10s windows/);
  });
});

describe('parseDuration', () => {
  it('reads k6 durations', () => {
    expect([parseDuration('10s'), parseDuration('1m30s'), parseDuration('500ms'), parseDuration('1h'), parseDuration('10'), parseDuration('s')])
      .toEqual([10_000, 90_000, 500, 3_600_000, null, null]);
  });
});
