import { describe, expect, it } from 'vitest';
import { describeRealTime, scaleLatencyThresholds, smallestJudgedLatencyMs } from './latency-scale.js';
import { chatMetrics, RunMetrics } from './metrics/run-metrics.js';
import { evaluateThresholds } from './thresholds.js';

const gate = {
  chat_messages: ['count>0'],
  chat_ttft: ['p(95)<3000', { threshold: 'p(95)<3000', window: '10s' }],
  chat_turn_duration: ['max<=10000'],
  chat_errors: ['rate<0.01'],
  llm_input_tokens_per_turn: ['max<10000'],
};

describe('time compression never changes what a latency gate means', () => {
  it('leaves every threshold as written at real time (and slower)', () => {
    for (const scale of [1, 2]) expect(scaleLatencyThresholds(gate, scale)).toEqual({ judged: gate, scaled: [], unjudged: [] });
  });

  it('multiplies latency thresholds (time trends only) by the time scale, windows and all, and says what each stands for', () => {
    const { judged, scaled, unjudged } = scaleLatencyThresholds(gate, 0.2);
    expect(judged).toEqual({
      chat_messages: ['count>0'],
      chat_ttft: ['p(95)<600', { threshold: 'p(95)<600', window: '10s' }],
      chat_turn_duration: ['max<=2000'],
      chat_errors: ['rate<0.01'],
      llm_input_tokens_per_turn: ['max<10000'],
    });
    expect(unjudged).toEqual([]);
    expect(scaled).toEqual([
      { metric: 'chat_ttft', real: 'p(95)<3000', judged: 'p(95)<600', timeScale: 0.2 },
      { metric: 'chat_turn_duration', real: 'max<=10000', judged: 'max<=2000', timeScale: 0.2 },
    ]);
    expect(describeRealTime(scaled[0]!)).toBe('p(95)<3000 ms real = <600 ms at time-scale 0.2');
  });

  it('does not judge latency where the scaled threshold falls under what the path adds whatever the model does, and names the real-time lane', () => {
    const { judged, scaled, unjudged } = scaleLatencyThresholds(gate, 0.02, 'long-session-realtime');
    expect(judged.chat_ttft).toBeUndefined();
    expect(judged.chat_turn_duration).toEqual(['max<=200']);
    expect(scaled.map((each) => each.metric)).toEqual(['chat_turn_duration']);
    expect(unjudged).toEqual([{ metric: 'chat_ttft', expression: 'p(95)<3000', reason: expect.stringMatching(
      new RegExp(`time-scale 0.02, so p\\(95\\)<3000 ms real would be <60 ms, under the ${smallestJudgedLatencyMs} ms .*long-session-realtime judges it at real time`)), timeScale: 0.02 }]);
  });

  it('refuses a time scale that is not a positive number', () => {
    for (const bad of [0, -1, Number.NaN]) expect(() => scaleLatencyThresholds(gate, bad)).toThrow(/time scale must be a number above 0/);
  });

  it('fails a run at time-scale 0.2 whose TTFT means 3.5 s of real time, which the unscaled gate would pass', () => {
    const start = 1_700_000_000_000;
    const metrics = new RunMetrics(chatMetrics, { startedAt: start, now: () => start + 30_000 });
    // 700 ms measured with every modelled latency x0.2 is 3.5 s at the model's real speed.
    for (let index = 0; index < 100; index += 1) metrics.add('chat_ttft', 650 + index, start + index * 250);
    const snapshot = metrics.snapshot();
    const unscaled = evaluateThresholds(snapshot, { chat_ttft: gate.chat_ttft });
    const scaled = evaluateThresholds(snapshot, scaleLatencyThresholds({ chat_ttft: gate.chat_ttft }, 0.2).judged);
    expect(unscaled.every((result) => result.ok)).toBe(true);
    expect(scaled.map((result) => result.ok)).toEqual([false, false]);
  });
});
