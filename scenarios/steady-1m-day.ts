import type { LoadShape } from '../engine/arrivals.ts';
import type { TurnPlan } from '../engine/session-plan.ts';
import type { FaultStep, Incident } from './incident.ts';
import { desktopClient, mobileClient } from './kit/client-profiles.ts';
import { expectTitleAt } from './kit/coreference.ts';
import { diurnalArrivals, jstHourlyFactors } from './kit/diurnal.ts';
import { concurrencyCap, messagesPerSecondAt1MPerDay, peakArrivalRate } from './kit/load-kit.ts';
import { greetings, listRequest, ordinalAsk, storeQuestions } from './kit/manga-questions.ts';
import { between, customerIdFor, pick } from './kit/session-kit.ts';

/** Sessions have 2, 3 or 4 turns, equally likely: 3 on average. */
export const steadyTurnsPerSession = { min: 2, max: 4, mean: 3 } as const;

// 3 turns of about 3.2 s (Sonnet's mean turn at real time) and two thinks of up to 3 s.
const sessionMs = 16_000;
/** The ramp from nothing to the 21:00 rate before the plateau. */
export const peakRampMs = 10_000;
/** The 21:00 JST rate relative to the day's mean (3.0). */
export const peakFactor = Math.max(...jstHourlyFactors);

/**
 * Quick run (`--shape peak`, the default), the arithmetic: at scale 1 the 21:00 rate is
 * 3.0 x 11.57 = 34.7 msg/s, 11.6 new sessions/s of 3 turns. The ramp reaches it in 10 s (about
 * 58 sessions), then it is held for the 90 s plateau (about 1,040 sessions): about 3,300
 * messages in under 2 min of load, with the model at real speed and real think times. The plateau
 * is judged from 26 s (the ramp and one 16 s session length, so every session on it is in steady
 * state) to 100 s: seven whole 10 s windows (30-100 s) of about 347 messages each. 90 s, not
 * longer: `npm run gameday` runs this beside the real-time long-session lane in under 10 minutes;
 * the nightly suite holds it for 30 minutes. Hardened, on this 2-core
 * machine with the whole stack local, TTFT p95 stays under 3 s in every window; the proof at a
 * lower scale raises the emulator's TTFT by 4 s with the `bedrock` fault (latencyAboveSloFault),
 * which puts every turn's TTFT over 3 s, so the p95 gate fails in every window.
 */
const quickScale = 1;
const plateauMs = 90_000;

/** The 21:00 plateau: a linear ramp to the peak rate, then held; judged past one session length. */
function peakLoad(scale: number, durationMs: number): LoadShape {
  const peakSessionsPerSecond = (messagesPerSecondAt1MPerDay * scale * peakFactor) / steadyTurnsPerSession.mean;
  return {
    arrivals: {
      kind: 'ramping',
      startPerSecond: 0,
      stages: [
        { targetPerSecond: peakSessionsPerSecond, durationMs: peakRampMs },
        { targetPerSecond: peakSessionsPerSecond, durationMs },
      ],
    },
    maxConcurrentSessions: concurrencyCap(peakSessionsPerSecond, sessionMs),
    plateau: { fromMs: peakRampMs + sessionMs, toMs: peakRampMs + durationMs },
  };
}

function dayLoad(scale: number, durationMs: number): LoadShape {
  const sessionsPerSecond = (messagesPerSecondAt1MPerDay * scale) / steadyTurnsPerSession.mean;
  const arrivals = diurnalArrivals(sessionsPerSecond, durationMs);
  return { arrivals, maxConcurrentSessions: concurrencyCap(peakArrivalRate(arrivals), sessionMs) };
}

function session(index: number, random: () => number) {
  const turnCount = between(random, steadyTurnsPerSession.min, steadyTurnsPerSession.max);
  const turns: TurnPlan[] = [];
  let listed = false;
  for (let turn = 0; turn < turnCount; turn += 1) {
    const thinkBeforeMs = turn === 0 ? 0 : between(random, 1_000, 3_000);
    const draw = random();
    if (listed && draw < 0.4) {
      const position = between(random, 1, 3);
      turns.push({ text: ordinalAsk(random, position), thinkBeforeMs, expect: 'answer', checkReply: expectTitleAt(position) });
    } else if (!listed && draw < 0.6) {
      listed = true;
      turns.push({ text: listRequest(random), thinkBeforeMs, expect: 'answer' });
    } else {
      turns.push({ text: pick(random, turn === 0 ? greetings : storeQuestions), thinkBeforeMs, expect: 'answer' });
    }
  }
  return { client: random() < 0.6 ? desktopClient : mobileClient, customerId: customerIdFor('steady-1m-day', index), turns };
}

/** The proof that the gate can fail: the model's first token 4 s late for the whole run. */
export function latencyAboveSloFault(durationMs: number): FaultStep {
  return { atMs: 0, durationMs: peakRampMs + durationMs + 2 * sessionMs, fault: 'bedrock', options: { 'extra-ttft': '4s' } };
}

export const steady1mDay: Incident = {
  id: 'steady-1m-day',
  title: 'The 21:00 JST peak of 1M messages a day, held at real time',
  seed: '000/004 MangaAssist target: a useful answer in under 3 s at 1M messages/day (evening peak 19-22 JST, seed 004 s1)',
  description: 'The mission\'s SLO at the mission\'s rate: the JST evening peak of 1M messages a day (3.0 x 11.57 msg/s '
    + 'at 21:00) held as a plateau, as open-model session arrivals (turns within a session a closed loop with think '
    + 'times), the model at real speed. The plateau must be offered: achieved under 95 % of offered is not evidence. '
    + 'No fault and no naive switch: the gate is the SLO itself, and it fails when the model is slowed past it.',
  naiveSwitch: null,
  timeCompression: 'none with --shape peak: real think times (1-3 s), the model at real time (time-scale 1), the 21:00 rate held '
    + 'for the plateau (--plateau / --duration, 90 s by default). --shape day compresses the 24 h JST day into the duration '
    + '(x960 at 90 s), rates kept; the peak then lasts a few seconds and is never a plateau',
  stack: {},
  defaultDurationMs: plateauMs,
  shapes: {
    peak: 'a 10 s ramp to the 21:00 JST rate (34.7 msg/s x scale), held for the duration (the plateau); judged past one session length',
    day: 'the whole JST day compressed into the duration, rates kept: quiet nights, a lunch bump, the evening peak',
  },
  load(scale, durationMs, shape = 'peak') {
    if (shape === 'day') return dayLoad(scale, durationMs);
    if (shape !== 'peak') throw new Error(`steady-1m-day has the shapes peak and day, not "${shape}"`);
    return peakLoad(scale, durationMs);
  },
  session,
  nightly: { durationMs: 30 * 60_000 },
  faults: () => [],
  thresholds: {
    // k6 passes latency thresholds on an empty trend: a run that sent nothing must not pass.
    chat_messages: ['count>0'],
    chat_ttft: ['p(95)<3000', { threshold: 'p(95)<3000', window: '10s' }],
    // Over the plateau as a whole: at about 350 messages a window, the model's calibrated stall
    // tail alone would make a per-window 1 % gate flaky. The report draws the per-window rate.
    chat_errors: [{ threshold: 'rate<0.01', during: 'plateau' }],
  },
  gateThatMatters: ['chat_ttft'],
  quickScale,
  // Two proof lanes share this machine: the plateau at a third of the peak (11.6 msg/s, the day's
  // mean) for 40 s, two whole windows judged (30-50 s), is what a lane can carry beside the other.
  proof: { scale: 1 / 3, durationMs: 40_000 },
};
