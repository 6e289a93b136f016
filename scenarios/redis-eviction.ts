import type { TurnPlan } from '../engine/session-plan.ts';
import type { Incident } from './incident.ts';
import { desktopClient, mobileClient } from './kit/client-profiles.ts';
import { expectTitleAt } from './kit/coreference.ts';
import { constantSessions, messagesPerSecondAt1MPerDay } from './kit/load-kit.ts';
import { greetings, listRequest, ordinalAsk, storeQuestions } from './kit/manga-questions.ts';
import { between, customerIdFor, pick } from './kit/session-kit.ts';

const turnsPerSession = 6;
// 6 turns of about 0.7 s (time-scale 0.2) and 5 thinks of 1.5-3 s.
const sessionMs = 6 * 700 + 5 * 3_000;
const shrinkAtMs = 10_000;

/**
 * Quick run, the arithmetic: 0.5 x 11.57 msg/s = 5.8 msg/s in sessions of 6 turns, 0.96 new
 * sessions/s for 25 s: about 24 sessions of about 19 s, so about 45 s of load. At 10 s, with
 * about 10 sessions in mid-conversation, the fault shrinks maxmemory from 256 MB to 2 MiB under
 * allkeys-lru. A busy Redis with the fleet connected holds about 1.35 MB of its own (measured),
 * leaving about 0.7 MB for data, and the fault fills it with 16 values of 256 KB (4 MB at once):
 * everything older is evicted, so the sessions open at 10 s lose their keys. Under
 * redisOnlyStore their remaining turns, about 4 each, find no session: about 40 of the 150 turns
 * (measured: 23% errors). Each session asks twice about its list by ordinal, so a session that
 * kept its metadata but lost its turns is caught too ("2番目のやつ" no longer understood).
 */
const quickScale = 0.5;

function session(index: number, random: () => number) {
  const think = () => between(random, 1_500, 3_000);
  const ordinal = (): TurnPlan => {
    const position = between(random, 1, 3);
    return { text: ordinalAsk(random, position), thinkBeforeMs: think(), expect: 'answer', checkReply: expectTitleAt(position) };
  };
  const turns: TurnPlan[] = [
    { text: pick(random, greetings), thinkBeforeMs: 0, expect: 'answer' },
    { text: listRequest(random), thinkBeforeMs: think(), expect: 'answer' },
    { text: pick(random, storeQuestions), thinkBeforeMs: think(), expect: 'answer' },
    ordinal(),
    { text: pick(random, storeQuestions), thinkBeforeMs: think(), expect: 'answer' },
    ordinal(),
  ];
  return { client: random() < 0.5 ? mobileClient : desktopClient, customerId: customerIdFor('redis-eviction', index), turns };
}

export const redisEviction: Incident = {
  id: 'redis-eviction',
  title: 'Redis evicts live sessions under memory pressure',
  seed: '002 Alternative 1: Redis as Conversation Store (allkeys-lru evicts live sessions)',
  description: 'Steady chat while Redis\'s maxmemory is shrunk under allkeys-lru and filled. With Redis as the only store '
    + 'the least recently used sessions, users reading between turns, are evicted without an error; hardened, Redis is '
    + 'a write-through cache and DynamoDB still has every turn.',
  naiveSwitch: 'redisOnlyStore',
  timeCompression: 'think times 10-20 s -> 1.5-3 s and the model 5x faster (time-scale 0.2), ratio kept; Redis memory is '
    + 'not compressed but shrunk to 2 MiB, of which the quick load\'s filler takes all that is left',
  stack: { redisPolicy: 'allkeys-lru', timeScale: 0.2 },
  defaultDurationMs: 25_000,
  load(scale, durationMs) {
    return constantSessions((messagesPerSecondAt1MPerDay * scale) / turnsPerSession, durationMs, sessionMs);
  },
  session,
  faults(_scale, durationMs) {
    return [{
      atMs: shrinkAtMs,
      durationMs: durationMs - shrinkAtMs + sessionMs,
      fault: 'redis-eviction',
      options: { maxmemory: '2mb', policy: 'allkeys-lru', fill: true, 'value-size': '256kb', 'fill-limit': '4mb' },
    }];
  },
  thresholds: {
    // k6 passes latency thresholds on an empty trend: a run that sent nothing must not pass.
    chat_messages: ['count>0'],
    session_context_lost: ['count==0'],
    coreference_misses: ['count==0'],
    chat_errors: ['rate<0.01'],
  },
  // An evicted session's next turn is refused (ORCH_ERR_SESSION_NOT_FOUND): its context is lost, and the turn fails.
  gateThatMatters: ['session_context_lost', 'chat_errors'],
  quickScale,
};
