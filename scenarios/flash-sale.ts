import type { Arrivals } from '../engine/arrivals.ts';
import type { TurnPlan } from '../engine/session-plan.ts';
import type { FaultStep, Incident } from './incident.ts';
import { desktopClient, mobileClient } from './kit/client-profiles.ts';
import { expectTitleAt } from './kit/coreference.ts';
import { concurrencyCap, gracefulStopFor } from './kit/load-kit.ts';
import { listRequest, ordinalAsk, storeQuestions } from './kit/manga-questions.ts';
import { between, customerIdFor, pick } from './kit/session-kit.ts';

/** Seed 002: 80,000 new sessions in 15 minutes, the rate of the sale at --scale 1. */
export const saleSessionsPerSecond = 80_000 / (15 * 60);

// Think times 10-20 s in the sale, halved like the model (time-scale 0.5): 6 turns of about 1.75 s
// and 5 thinks of 5-10 s. Not faster: the TTFT gate is judged at the time scale (3 s real = 1.5 s
// here), and the path's own costs (Redis under the waves, DynamoDB reads) do not shrink with the model.
const sessionMs = 6 * 1_750 + 5 * 10_000;
const maxmemory = '2mb';
const waveEveryMs = 7_000;
const waveHoldMs = 5_000;
// 16 values of 256 KB: past a 2 MiB maxmemory many times over, so one batch evicts every older key.
const fill = { maxmemory, policy: 'allkeys-lru', fill: true, 'value-size': '256kb', 'fill-limit': '4mb' } as const;

/**
 * Quick run, the arithmetic: the sale plateau at 0.025 x 88.9 = 2.2 new sessions/s, reached
 * after a ramp over the first fifth of a 25 s run and held for three fifths: about 44 sessions of
 * 6 turns (264 messages, at most about 5 msg/s), each about 45-60 s long, so about 80 s of load.
 * Redis has 2 MiB under allkeys-lru; with the fleet connected and busy it already holds about
 * 1.35 MB of its own (clients' buffers, measured), so about 0.7 MB is left for data. From the
 * sale's start (5 s) and every 7 s after (12 s, 19 s), the sale's caches arrive: 16 values of
 * 256 KB, 4 MB at once, six times the room, so Redis evicts every key older than them: every
 * open session's (measured under redisOnlyStore: 62% of the turns then found their session
 * gone; 1% fails the gate). Each wave's filler is deleted 5 s later. Hardened, Redis is an L1 in
 * front of DynamoDB: the waves cost reads, and every turn still finds its session and its list
 * ("2番目のやつ" is asked twice per session).
 */
const quickScale = 0.025;

function saleArrivals(scale: number, durationMs: number): Arrivals {
  const plateau = saleSessionsPerSecond * scale;
  const rampMs = Math.round(durationMs / 5);
  return {
    kind: 'ramping',
    startPerSecond: 0,
    stages: [
      { targetPerSecond: plateau, durationMs: rampMs },
      { targetPerSecond: plateau, durationMs: durationMs - 2 * rampMs },
      { targetPerSecond: 0, durationMs: rampMs },
    ],
  };
}

/**
 * A sale shopper: asks about the sale, gets a list of three titles, asks about the store, and
 * comes back to the list by ordinal twice ("What about the second one you mentioned?").
 */
function session(index: number, random: () => number) {
  const think = () => between(random, 5_000, 10_000);
  const ordinal = (): TurnPlan => {
    const position = between(random, 1, 3);
    return { text: ordinalAsk(random, position), thinkBeforeMs: think(), expect: 'answer', checkReply: expectTitleAt(position) };
  };
  const turns: TurnPlan[] = [
    { text: 'セールの新刊はいつ入荷しますか？', thinkBeforeMs: 0, expect: 'answer' },
    { text: listRequest(random), thinkBeforeMs: think(), expect: 'answer' },
    { text: pick(random, storeQuestions), thinkBeforeMs: think(), expect: 'answer' },
    ordinal(),
    { text: pick(random, storeQuestions), thinkBeforeMs: think(), expect: 'answer' },
    ordinal(),
  ];
  return { client: random() < 0.7 ? mobileClient : desktopClient, customerId: customerIdFor('flash-sale', index), turns };
}

export const flashSale: Incident = {
  id: 'flash-sale',
  title: 'Flash sale: a burst of new sessions fills Redis',
  seed: '002 Failure Scenario - The Flash Sale Memory Wipe',
  description: 'A manga launch brings 80,000 new sessions in 15 minutes (x scale). Redis runs allkeys-lru with little '
    + 'room, and the sale\'s product caches arrive in waves that fill it. With Redis as the only store, live sessions '
    + 'are evicted mid-conversation and their next message finds nothing. Hardened, Redis is a cache in front of DynamoDB.',
  naiveSwitch: 'redisOnlyStore',
  timeCompression: '15 min sale -> the run duration (25 s by default), sale rate kept at 88.9 new sessions/s x scale; '
    + 'think times 10-20 s -> 5-10 s and the model 2x faster (time-scale 0.5), ratio kept, so TTFT p(95)<3000 ms real is '
    + 'judged as <1500 ms; the caches\' waves every 7 s',
  stack: { redisMaxmemory: maxmemory, redisPolicy: 'allkeys-lru', timeScale: 0.5 },
  defaultDurationMs: 25_000,
  load(scale, durationMs) {
    return {
      arrivals: saleArrivals(scale, durationMs),
      maxConcurrentSessions: concurrencyCap(saleSessionsPerSecond * scale, sessionMs),
      gracefulStopMs: gracefulStopFor(sessionMs),
    };
  },
  session,
  faults(_scale, durationMs) {
    // The sale's own caches fill Redis in waves: each fills it past maxmemory at once, and
    // allkeys-lru drops what was used least recently: the sessions of users who are reading.
    const saleStartsMs = Math.round(durationMs / 5);
    const waves: FaultStep[] = [];
    for (let atMs = saleStartsMs; atMs < durationMs - waveEveryMs / 2; atMs += waveEveryMs) {
      waves.push({ atMs, durationMs: waveHoldMs, fault: 'redis-eviction', options: { ...fill } });
    }
    return waves;
  },
  thresholds: {
    // k6 passes latency thresholds on an empty trend: a run that sent nothing must not pass.
    chat_messages: ['count>0'],
    session_context_lost: ['count==0'],
    coreference_misses: ['count==0'],
    chat_ttft: ['p(95)<3000'],
    chat_errors: ['rate<0.01'],
  },
  // An evicted session's next turn is refused (ORCH_ERR_SESSION_NOT_FOUND): its context is lost, and the turn fails.
  gateThatMatters: ['session_context_lost', 'chat_errors'],
  quickScale,
};
