import { describe, expect, it } from 'vitest';
import { arrivalsDurationMs, arrivalTimes, type Arrivals } from '../engine/arrivals.js';
import { seededRandom } from '../stack/random.js';
import { saleSessionsPerSecond } from './flash-sale.js';
import { incidents } from './index.js';
import type { Incident } from './incident.js';
import { jstHourlyFactors } from './kit/diurnal.js';
import { messagesPerSecondAt1MPerDay, peakArrivalRate } from './kit/load-kit.js';
import { peakRampMs, steadyTurnsPerSession } from './steady-1m-day.js';
import { offeredMessagesPerWindow, plateauWindows } from '../engine/offered-load.js';

const all = [...incidents.values()];
/** The ramp a shape with a plateau adds before it: its duration is the plateau's length. */
const rampOf = (incident: Incident) => (incident.load(1, 60_000).plateau ? peakRampMs : 0);

/** The average arrival rate of a shape over its whole length, in sessions per second. */
function meanArrivalRate(arrivals: Arrivals): number {
  if (arrivals.kind === 'constant') return arrivals.perSecond;
  let from = arrivals.startPerSecond;
  let sessions = 0;
  let ms = 0;
  for (const stage of arrivals.stages) {
    sessions += ((from + stage.targetPerSecond) / 2) * (stage.durationMs / 1_000);
    ms += stage.durationMs;
    from = stage.targetPerSecond;
  }
  return ms === 0 ? 0 : sessions / (ms / 1_000);
}

function count(arrivals: Arrivals): number {
  let sessions = 0;
  for (const _at of arrivalTimes(arrivals)) sessions += 1;
  return sessions;
}

/** Mean turns per session over many sessions of the factory. */
function meanTurns(incident: Incident, sessions = 400): number {
  let turns = 0;
  for (let index = 0; index < sessions; index += 1) turns += incident.session(index, seededRandom(index + 1)).turns.length;
  return turns / sessions;
}

/** The longest a session of the factory can take by its think times alone. */
function longestThinkMs(incident: Incident, sessions = 50): number {
  let longest = 0;
  for (let index = 0; index < sessions; index += 1) {
    const plan = incident.session(index, seededRandom(index + 1));
    longest = Math.max(longest, plan.turns.reduce((sum, turn) => sum + turn.thinkBeforeMs, 0));
  }
  return longest;
}

// The arrival window and the longest session's thinking, where a lane's thinks are real seconds
// (its file's quick-run arithmetic); time-compressed incidents fit in 45 s.
const thinkingBoundMs: Partial<Record<Incident['id'], number>> = { 'long-session-realtime': 150_000, 'flash-sale': 80_000, 'carrier-nat': 55_000 };

describe('the load shape of every incident', () => {
  for (const incident of all) {
    describe(incident.id, () => {
      const quick = incident.load(incident.quickScale, incident.defaultDurationMs);

      it('arrives over exactly the duration it is given (after its ramp, for a plateau), at quick scale and at scale 1', () => {
        expect(arrivalsDurationMs(quick.arrivals)).toBe(rampOf(incident) + incident.defaultDurationMs);
        expect(arrivalsDurationMs(incident.load(1, 90_000).arrivals)).toBe(rampOf(incident) + 90_000);
      });

      if (incident.id === 'steady-1m-day') return;
      it('at quick scale starts a handful to a few dozen sessions, at most 10 messages a second, within 20-45 s (a real-time lane: its own bound)', () => {
        const sessions = count(quick.arrivals);
        expect(sessions).toBeGreaterThanOrEqual(3);
        expect(sessions).toBeLessThanOrEqual(60);
        // Spread over the arrivals and the last session's span (a lower bound on the load's length).
        const messagesPerSecond = (sessions * meanTurns(incident)) / ((incident.defaultDurationMs + longestThinkMs(incident)) / 1_000);
        expect(messagesPerSecond).toBeLessThanOrEqual(10);
        // The arrival window and the longest session's thinking fit in the bound (turns themselves take a few seconds more).
        expect(incident.defaultDurationMs).toBeGreaterThanOrEqual(10_000);
        expect(incident.defaultDurationMs + longestThinkMs(incident)).toBeLessThanOrEqual(thinkingBoundMs[incident.id] ?? 45_000);
      });

      it('caps concurrent sessions above what arrives while one session lasts, and scales the cap with --scale', () => {
        const sessionMs = 10_000;
        expect(quick.maxConcurrentSessions).toBeGreaterThanOrEqual(Math.ceil(peakArrivalRate(quick.arrivals) * (sessionMs / 1_000)));
        expect(Number.isInteger(quick.maxConcurrentSessions)).toBe(true);
        const big = incident.load(incident.quickScale * 10, incident.defaultDurationMs);
        expect(big.maxConcurrentSessions).toBeGreaterThan(quick.maxConcurrentSessions);
        expect(count(big.arrivals)).toBeGreaterThan(count(quick.arrivals) * 8);
      });
    });
  }
});

describe('the quick runs the incident files\' arithmetic describes', () => {
  // Sessions started at quickScale and defaultDurationMs, as each file's "Quick run" comment counts them.
  const expected: Record<Incident['id'], number> = {
    'steady-1m-day': 1_098, 'flash-sale': 44, 'long-session': 3, 'long-session-realtime': 5, 'jp-emoji': 17, 'carrier-nat': 12, 'task-kill': 23, 'redis-eviction': 24,
  };
  for (const incident of all) {
    it(`${incident.id}: about ${expected[incident.id]} sessions`, () => {
      const sessions = count(incident.load(incident.quickScale, incident.defaultDurationMs).arrivals);
      expect(Math.abs(sessions - expected[incident.id])).toBeLessThanOrEqual(2);
    });
  }
});

describe('steady-1m-day: the JST day of 1M messages', () => {
  const steady = incidents.get('steady-1m-day') as Incident;
  const day = (scale: number, durationMs: number) => steady.load(scale, durationMs, 'day');

  it('--shape peak (the default): ramps to the 21:00 rate, 3.0 x 11.57 = 34.7 msg/s at scale 1, and holds it for the duration', () => {
    const peak = steady.load(1, 120_000);
    expect(steady.load(1, 120_000, 'peak')).toEqual(peak);
    expect(peak.arrivals).toMatchObject({ kind: 'ramping', startPerSecond: 0 });
    expect(peakArrivalRate(peak.arrivals) * steadyTurnsPerSession.mean).toBeCloseTo(3.0 * messagesPerSecondAt1MPerDay, 1);
    // Judged past the ramp and one session length, to the arrivals' end.
    expect(peak.plateau).toEqual({ fromMs: peakRampMs + 16_000, toMs: peakRampMs + 120_000 });
    const windows = plateauWindows(peak.plateau as { fromMs: number; toMs: number }, 10_000) as { first: number; last: number };
    expect(windows).toEqual({ first: 3, last: 12 });
    // What the plan offers on the plateau is the mission's peak, window by window (sessions of 2-4 turns vary it a little).
    const offered = offeredMessagesPerWindow(peak, steady.session, 1, 10_000).slice(windows.first, windows.last + 1);
    for (const count of offered) expect(count / 10).toBeGreaterThan(34.7 * 0.93);
    for (const count of offered) expect(count / 10).toBeLessThan(34.7 * 1.07);
    expect(offered.reduce((sum, count) => sum + count, 0) / 100).toBeCloseTo(34.7, 0);
  });

  it('--shape day has no plateau; an unknown shape is refused', () => {
    expect(day(1, 120_000).plateau).toBeUndefined();
    expect(() => steady.load(1, 120_000, 'noon')).toThrow(/peak and day/);
  });

  it('has hourly factors that average 1 and peak at 3.0x in the JST evening (19-22 h), lowest before dawn', () => {
    expect(jstHourlyFactors).toHaveLength(24);
    expect(jstHourlyFactors.reduce((sum, factor) => sum + factor, 0) / 24).toBeCloseTo(1, 10);
    const peak = Math.max(...jstHourlyFactors);
    expect(peak).toBeCloseTo(3.0, 1);
    expect(jstHourlyFactors.indexOf(peak)).toBeGreaterThanOrEqual(19);
    expect(jstHourlyFactors.indexOf(peak)).toBeLessThanOrEqual(22);
    expect(jstHourlyFactors.indexOf(Math.min(...jstHourlyFactors))).toBeGreaterThanOrEqual(2);
    expect(jstHourlyFactors.indexOf(Math.min(...jstHourlyFactors))).toBeLessThanOrEqual(6);
  });

  it('at scale 1 averages 11.6 msg/s over a compressed day and peaks near 3x (about 35 msg/s)', () => {
    const { arrivals } = day(1, 240_000);
    const sessionsPerSecond = count(arrivals) / 240;
    expect(sessionsPerSecond * steadyTurnsPerSession.mean).toBeCloseTo(messagesPerSecondAt1MPerDay, 0);
    expect(meanArrivalRate(arrivals) * steadyTurnsPerSession.mean).toBeCloseTo(11.57, 1);
    expect(peakArrivalRate(arrivals) * steadyTurnsPerSession.mean).toBeGreaterThan(33);
    expect(peakArrivalRate(arrivals) * steadyTurnsPerSession.mean).toBeLessThan(37);
  });

  it('has sessions of 2 to 4 turns, 3 on average, so sessions x turns is the message rate', () => {
    expect(meanTurns(steady, 3_000)).toBeCloseTo(steadyTurnsPerSession.mean, 1);
    for (let index = 0; index < 200; index += 1) {
      const turns = steady.session(index, seededRandom(index)).turns.length;
      expect(turns).toBeGreaterThanOrEqual(steadyTurnsPerSession.min);
      expect(turns).toBeLessThanOrEqual(steadyTurnsPerSession.max);
    }
  });

  it('puts the busiest stretch of arrivals in the evening part of the run, the quietest before dawn', () => {
    const durationMs = 240_000;
    const perHour = new Array<number>(24).fill(0);
    for (const at of arrivalTimes(day(1, durationMs).arrivals)) {
      const hour = Math.min(23, Math.floor((at / durationMs) * 24));
      perHour[hour] = (perHour[hour] ?? 0) + 1;
    }
    const busiest = perHour.indexOf(Math.max(...perHour));
    expect(busiest).toBeGreaterThanOrEqual(19);
    expect(busiest).toBeLessThanOrEqual(22);
    expect(Math.min(...perHour.slice(2, 7))).toBeLessThan(Math.max(...perHour) / 8);
  });
});

describe('the other incidents at scale 1', () => {
  const rateOf = (id: string) => meanArrivalRate((incidents.get(id as Incident['id']) as Incident).load(1, 60_000).arrivals);

  it('flash-sale: 80,000 new sessions in 15 minutes at the plateau (88.9/s), ramping up and down around it', () => {
    const sale = (incidents.get('flash-sale') as Incident).load(1, 60_000).arrivals;
    expect(peakArrivalRate(sale)).toBeCloseTo(saleSessionsPerSecond, 5);
    expect(saleSessionsPerSecond * 900).toBeCloseTo(80_000, 5);
    expect(sale.kind === 'ramping' && sale.startPerSecond).toBe(0);
    expect(meanArrivalRate(sale)).toBeCloseTo(saleSessionsPerSecond * 0.8, 5);
  });

  it('steady-chat incidents carry 1M msg/day (11.6 msg/s) at scale 1', () => {
    for (const id of ['long-session', 'long-session-realtime', 'jp-emoji', 'carrier-nat', 'task-kill', 'redis-eviction']) {
      const incident = incidents.get(id as Incident['id']) as Incident;
      expect(rateOf(id) * meanTurns(incident), id).toBeCloseTo(messagesPerSecondAt1MPerDay, 1);
    }
  });

  it('long-session-realtime: its 60-turn shape carries the same rate in sessions three times as long, and only its shapes', () => {
    const lane = incidents.get('long-session-realtime') as Incident;
    const full = lane.load(1, 60_000, '60-turn');
    const plan = (lane.sessionsFor?.('60-turn') ?? lane.session)(0, seededRandom(1));
    expect(meanArrivalRate(full.arrivals) * plan.turns.length).toBeCloseTo(messagesPerSecondAt1MPerDay, 5);
    expect(() => lane.load(1, 60_000, '45-turn')).toThrow(/the shapes 20-turn, 60-turn, not "45-turn"/);
  });
});
