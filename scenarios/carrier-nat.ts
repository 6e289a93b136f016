import type { TurnPlan } from '../engine/session-plan.ts';
import type { Incident } from './incident.ts';
import { carrierMobileClient } from './kit/client-profiles.ts';
import { expectTitleAt } from './kit/coreference.ts';
import { constantSessions, messagesPerSecondAt1MPerDay } from './kit/load-kit.ts';
import { greetings, listRequest, ordinalAsk } from './kit/manga-questions.ts';
import { between, customerIdFor, pick } from './kit/session-kit.ts';

/**
 * Every timer of seed 001 s1 divided by this, the ratios between them kept. Not more: the model
 * runs at 1/natCompression of its real time, the TTFT gate is judged at that scale (3 s real =
 * 1.5 s here), and the path's own costs (the proxy, the service, a busy machine) do not shrink with it.
 */
export const natCompression = 2;
const natIdleMs = 30_000 / natCompression;
const pingIntervalMs = 20_000 / natCompression;
const pongTimeoutMs = 5_000 / natCompression;
/** The app gives an answer 40 s before it gives up on the socket (8 s compressed). */
const appTurnTimeoutMs = 40_000;
// Users read for 33-40 s between turns (seed 001: idle 30 s+), 6.6-8 s compressed: always past the NAT's idle.
const thinkMs = { min: 33_000 / natCompression, max: 40_000 / natCompression };

const turnsPerSession = 3;
// 3 turns of about 1.75 s (time-scale 0.5) and 2 thinks of up to 20 s; naive adds a 20 s timeout per think.
const sessionMs = 3 * 1_750 + 2 * thinkMs.max;

/**
 * Quick run, the arithmetic: 0.25 x 11.57 msg/s = 2.9 msg/s of mobile sessions of 3 turns, 0.96
 * new sessions/s for 12 s: about 12 sessions, each idle twice for 16.5-20 s, longer than the
 * NAT's 15 s; each session lasts about 45 s, so about 60 s of load. Hardened, the server pings
 * every 10 s and the app's pong keeps the NAT mapping alive: no reconnects, and TTFT p95 about
 * 1 s here (2 s real) against the gate's 1.5 s (3 s real). With noAppPings nothing crosses the
 * socket while the user reads, the NAT drops the mapping without a FIN (blackhole), the next
 * message vanishes, and after the app's 20 s timeout it reconnects and resends: about 2 x 12 =
 * 24 reconnects against a bound of 5, and those 24 of 36 turns take more than 20 s to a first
 * token, so TTFT p95 fails too.
 */
const quickScale = 0.25;

function session(index: number, random: () => number) {
  const think = () => between(random, thinkMs.min, thinkMs.max);
  const position = between(random, 1, 3);
  const turns: TurnPlan[] = [
    { text: `${pick(random, greetings)}${listRequest(random)}`, thinkBeforeMs: 0, expect: 'answer' },
    { text: ordinalAsk(random, position), thinkBeforeMs: think(), expect: 'answer', checkReply: expectTitleAt(position) },
    { text: listRequest(random), thinkBeforeMs: think(), expect: 'answer' },
  ];
  return { client: carrierMobileClient(natCompression, appTurnTimeoutMs), customerId: customerIdFor('carrier-nat', index), turns };
}

export const carrierNat: Incident = {
  id: 'carrier-nat',
  title: 'Carrier NAT drops idle mobile WebSockets',
  seed: '001 s1 Amplify WebSocket Failing on Mobile (JP carrier NAT drops idle TCP after 30 s)',
  description: 'Mobile users on NTT Docomo, au and SoftBank read for 30 s and more between messages. Their carrier\'s NAT '
    + 'drops a mapping idle for 30 s without telling either side. Hardened, the server pings every 20 s (pong within 5 s) '
    + 'and the app answers; with no app-level pings the socket dies silently and the app finds out only when an answer '
    + 'never comes, then reconnects (0.5 s to 10 s backoff, 10 tries) and resends the same message.',
  naiveSwitch: 'noAppPings',
  timeCompression: `every seed 001 timer /${natCompression}, ratios kept: NAT idle 30 s -> ${natIdleMs / 1_000} s, server ping 20 s -> `
    + `${pingIntervalMs / 1_000} s, pong timeout 5 s -> ${pongTimeoutMs / 1_000} s, reading between turns 33-40 s -> `
    + `${thinkMs.min / 1_000}-${thinkMs.max / 1_000} s, reconnect backoff 0.5-10 s -> ${0.5 / natCompression}-${10 / natCompression} s, the app's answer timeout 40 s -> `
    + `${appTurnTimeoutMs / natCompression / 1_000} s, and the model ${natCompression}x faster (time-scale ${1 / natCompression})`,
  stack: {
    timeScale: 1 / natCompression,
    serviceEnv: { GAMEDAY_PING_INTERVAL_MS: String(pingIntervalMs), GAMEDAY_PONG_TIMEOUT_MS: String(pongTimeoutMs) },
  },
  defaultDurationMs: 12_000,
  load(scale, durationMs) {
    return constantSessions((messagesPerSecondAt1MPerDay * scale) / turnsPerSession, durationMs, sessionMs);
  },
  session,
  faults(_scale, durationMs) {
    // The NAT stands for the whole run and the last session, and one app timeout more: by then every
    // naive session has lost its mapping twice (the timeline runs its length even when the load is done).
    return [{
      atMs: 0,
      durationMs: durationMs + sessionMs + appTurnTimeoutMs / natCompression,
      fault: 'nat-drop',
      options: { proxy: 'carrier', idle: `${natIdleMs}ms`, mode: 'blackhole' },
    }];
  },
  thresholds: {
    // k6 passes latency thresholds on an empty trend: a run that sent nothing must not pass.
    chat_messages: ['count>0'],
    ws_reconnects: ['count<5'],
    session_turns_lost: ['count==0'],
    chat_errors: ['rate<0.01'],
    chat_ttft: ['p(95)<3000'],
  },
  gateThatMatters: ['ws_reconnects', 'chat_ttft'],
  quickScale,
};
