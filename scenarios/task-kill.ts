import type { TurnPlan } from '../engine/session-plan.ts';
import type { FaultStep, Incident } from './incident.ts';
import { desktopClient, mobileClient } from './kit/client-profiles.ts';
import { expectTitleAt } from './kit/coreference.ts';
import { constantSessions, messagesPerSecondAt1MPerDay } from './kit/load-kit.ts';
import { greetings, listRequest, ordinalAsk, storeQuestions } from './kit/manga-questions.ts';
import { between, customerIdFor, pick } from './kit/session-kit.ts';

const turnsPerSession = 5;
// 5 turns of about 1.6 s (time-scale 0.5) and 4 thinks of 1-2 s.
const sessionMs = 5 * 1_600 + 4 * 2_000;
const killEveryMs = 8_000;

/**
 * Quick run, the arithmetic: 0.4 x 11.57 msg/s = 4.6 msg/s in sessions of 5 turns, 0.93 new
 * sessions/s for 25 s: about 23 sessions, 13 open at once, spread over the 2 workers. A SIGKILL
 * every 8 s from 4 s (rounds at 4, 12 and 20 s) each takes one of 2 workers and the sockets of
 * about half the open sessions; a SIGTERM at 26 s drains another. Hardened, the clients reconnect
 * to the other worker and resume from DynamoDB: every acknowledged turn stored once. With
 * inProcessSessions the sessions live in the worker that created them: a socket that lands on
 * the other worker, or survives its own worker's death, finds no session, and nothing the
 * clients were told is durable, so the audit finds every acknowledged turn lost (measured: 57
 * turns lost, 7 sessions that had answers found nothing when they resumed).
 */
const quickScale = 0.4;

function session(index: number, random: () => number) {
  const think = () => between(random, 1_000, 2_000);
  const position = between(random, 1, 3);
  const turns: TurnPlan[] = [
    { text: pick(random, greetings), thinkBeforeMs: 0, expect: 'answer' },
    { text: listRequest(random), thinkBeforeMs: think(), expect: 'answer' },
    { text: pick(random, storeQuestions), thinkBeforeMs: think(), expect: 'answer' },
    { text: pick(random, storeQuestions), thinkBeforeMs: think(), expect: 'answer' },
    { text: ordinalAsk(random, position), thinkBeforeMs: think(), expect: 'answer', checkReply: expectTitleAt(position) },
  ];
  return { client: random() < 0.5 ? mobileClient : desktopClient, customerId: customerIdFor('task-kill', index), turns };
}

export const taskKill: Incident = {
  id: 'task-kill',
  title: 'ECS task kills lose in-memory sessions',
  seed: '000 s2 ECS Task Restart Loses In-Memory Session State',
  description: 'Steady chat while fleet workers are killed the way ECS stops tasks: SIGKILL rounds (a crash) and a SIGTERM '
    + '(a drain). Hardened, every acknowledged turn is in DynamoDB and the clients reconnect and resume on another worker; '
    + 'with sessions in worker memory they vanish with the worker, or never reach the other one.',
  naiveSwitch: 'inProcessSessions',
  timeCompression: 'rolling deployments over minutes -> a kill every 8 s; the model 2x faster (time-scale 0.5); the 30 s '
    + 'drain and the clients\' reconnect policy (0.5-10 s, 10 tries) at real time',
  stack: { workers: 2, timeScale: 0.5 },
  defaultDurationMs: 25_000,
  load(scale, durationMs) {
    return constantSessions((messagesPerSecondAt1MPerDay * scale) / turnsPerSession, durationMs, sessionMs);
  },
  session,
  faults(_scale, durationMs) {
    const firstKillMs = 4_000;
    const sigkill: FaultStep = {
      atMs: firstKillMs,
      // Rounds at 4, 12 and 20 s of a 25 s run: the revert waits for the fleet to replace the last one.
      durationMs: Math.max(1_000, durationMs - firstKillMs - 2_000),
      fault: 'task-kill',
      options: { signal: 'SIGKILL', count: 1, every: `${killEveryMs}ms` },
    };
    const sigterm: FaultStep = { atMs: durationMs + 1_000, durationMs: 1_000, fault: 'task-kill', options: { signal: 'SIGTERM', count: 1 } };
    return [sigkill, sigterm];
  },
  thresholds: {
    // k6 passes latency thresholds on an empty trend: a run that sent nothing must not pass.
    chat_messages: ['count>0'],
    session_turns_lost: ['count==0'],
    session_turns_duplicated: ['count==0'],
    session_context_lost: ['count==0'],
  },
  gateThatMatters: ['session_turns_lost', 'session_context_lost'],
  quickScale,
};
