import { describe, expect, it } from 'vitest';
import { incidents } from '../../index.js';
import type { Incident, IncidentId } from '../../incident.js';
import { k6Options } from './k6-options.js';
import { plateauCounting } from './plateau-count.js';
import { settingsFromEnv } from './settings.js';

const incident = (id: IncidentId) => incidents.get(id) as Incident;
const thresholdsOf = (id: IncidentId, env: Record<string, string> = {}) => {
  const subject = incident(id);
  return k6Options(subject, settingsFromEnv(subject, env)).thresholds;
};

describe('a k6 script judges latency at the time scale it is given, by the same rule as the built-in engine', () => {
  it('scales its TTFT thresholds by the incident\'s own time scale, and judges them as written at TIME_SCALE=1 (a deployment)', () => {
    expect(thresholdsOf('carrier-nat').chat_ttft).toEqual(['p(95)<1500']);
    expect(thresholdsOf('flash-sale').chat_ttft).toEqual(['p(95)<1500']);
    expect(thresholdsOf('flash-sale', { TIME_SCALE: '1' }).chat_ttft).toEqual(['p(95)<3000']);
    expect(thresholdsOf('steady-1m-day').chat_ttft).toEqual(['p(95)<3000']);
  });

  it('leaves out a latency threshold its time scale cannot judge (long-session at 0.02)', () => {
    expect(thresholdsOf('long-session').chat_ttft).toBeUndefined();
    expect(thresholdsOf('long-session', { TIME_SCALE: '1' }).chat_ttft).toEqual(['p(95)<3000']);
  });

  it('takes a load shape by SHAPE, refuses one the incident lacks, and refuses a bad TIME_SCALE', () => {
    const steady = incident('steady-1m-day');
    expect(settingsFromEnv(steady, {}).shape).toBe('peak');
    expect(k6Options(steady, settingsFromEnv(steady, { SHAPE: 'day' })).scenarios['steady-1m-day']).toMatchObject({ executor: 'ramping-arrival-rate' });
    expect(() => settingsFromEnv(steady, { SHAPE: 'noon' })).toThrow('SHAPE must be one of peak, day, not "noon"');
    expect(() => settingsFromEnv(incident('jp-emoji'), { SHAPE: 'peak' })).toThrow(/jp-emoji has one load shape/);
    expect(() => settingsFromEnv(steady, { TIME_SCALE: '0' })).toThrow(/TIME_SCALE must be a number above 0/);
  });
});

describe('what a k6 script counts on its plateau', () => {
  it('counts messages sent and turns forfeited while the scenario is on its plateau, and nothing else', () => {
    const recorded: string[] = [];
    let counted = 0;
    let now = 0;
    const sink = plateauCounting({ add: (name) => recorded.push(name), rate: () => undefined }, { fromMs: 10_000, toMs: 20_000 }, () => now, (value) => { counted += value; });
    for (now of [5_000, 10_000, 15_000, 19_999, 20_000]) sink.add('chat_messages', 1);
    now = 12_000;
    sink.add('chat_turns_forfeited', 3);
    sink.add('chat_ttft', 800);
    expect(counted).toBe(3 + 3);
    expect(recorded).toHaveLength(7);
  });
});

describe('a k6 scenario lets sessions finish as the built-in engine does', () => {
  it('gives sessions longer than 15 s twice their length to finish (a real-time lane, a slow naive run), and the rest k6\'s 30 s', () => {
    const scenario = (id: IncidentId) => Object.values(k6Options(incident(id), settingsFromEnv(incident(id), {})).scenarios)[0] as { gracefulStop: string };
    const lane = incident('long-session-realtime');
    const laneStop = lane.load(lane.quickScale, lane.defaultDurationMs).gracefulStopMs;
    expect(laneStop).toBeGreaterThan(30_000);
    expect(scenario('long-session-realtime').gracefulStop).toBe(`${laneStop}ms`);
    expect(scenario('steady-1m-day').gracefulStop).toBe('30s');
    expect(scenario('carrier-nat').gracefulStop).toBe(`${incident('carrier-nat').load(0.25, 12_000).gracefulStopMs}ms`);
  });
});
