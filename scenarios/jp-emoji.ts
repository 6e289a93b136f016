import type { TurnPlan } from '../engine/session-plan.ts';
import type { Incident } from './incident.ts';
import { desktopClient, mobileClient } from './kit/client-profiles.ts';
import { constantSessions, messagesPerSecondAt1MPerDay } from './kit/load-kit.ts';
import { listRequest } from './kit/manga-questions.ts';
import { between, customerIdFor } from './kit/session-kit.ts';
import { type PayloadCase, payloadCases, tooLongCode, tooLongMessage } from './kit/unicode-payloads.ts';

const payloadTurns = 4;
const turnsPerSession = payloadTurns + 1;
// 5 turns of about 1.6 s (time-scale 0.5) and thinks of 0.5-1.5 s.
const sessionMs = 5 * 1_600 + 4 * 1_500;

/**
 * Quick run, the arithmetic: 0.3 x 11.57 msg/s = 3.5 msg/s in sessions of 5 turns, 0.69 new
 * sessions/s for 25 s: about 17 sessions and 70 payload turns, so each of the 18 payload cases is
 * sent about 4 times (sessions take them in turn, 4 each). Four valid cases are longer than
 * 4000 UTF-16 units ("🎉" x 2001, 𠮷 x 4000, 640 family ZWJ sequences, the mixed 4000-grapheme
 * text), so the naive utf16Length check refuses about 4 x 4 = 16 valid payloads, and one is
 * enough to fail payload_check_failures count==0 (measured: 16, and 0 hardened).
 */
const quickScale = 0.3;

function payloadTurn(payload: PayloadCase, random: () => number): TurnPlan {
  const thinkBeforeMs = between(random, 500, 1_500);
  if (payload.valid) return { text: payload.text, thinkBeforeMs, expect: 'answer', checkStored: true };
  return { text: payload.text, thinkBeforeMs, expect: { refusedWith: tooLongCode, message: tooLongMessage } };
}

/** An ordinary question first, then four payload cases; session i takes cases 4i to 4i+3 (cycling). */
function session(index: number, random: () => number) {
  const turns: TurnPlan[] = [{ text: `${listRequest(random)}🙏`, thinkBeforeMs: 0, expect: 'answer', checkStored: true }];
  for (let k = 0; k < payloadTurns; k += 1) {
    turns.push(payloadTurn(payloadCases[(index * payloadTurns + k) % payloadCases.length] as PayloadCase, random));
  }
  return { client: random() < 0.5 ? mobileClient : desktopClient, customerId: customerIdFor('jp-emoji', index), turns };
}

export const jpEmoji: Incident = {
  id: 'jp-emoji',
  title: 'JP text with emoji refused by a UTF-16 length check',
  seed: '004 s3 Japanese Text Validation Rejection - Valid Messages Blocked',
  description: 'Japanese chat with emoji, ZWJ sequences, surrogate pairs and combining marks, at and past the 4000-character '
    + 'limit (seed 004\'s test list, with "🎉" x 2001 valid: it is 2001 characters). Valid text must be answered and stored '
    + 'byte for byte; 4001 graphemes (or more than 16,000 UTF-8 bytes) refused with "メッセージが長すぎます (最大4000文字)".',
  naiveSwitch: 'utf16Length',
  timeCompression: 'none that matters: the model 2x faster (time-scale 0.5) so the quick run fits 25 s; the limits are not compressed',
  stack: { timeScale: 0.5 },
  defaultDurationMs: 25_000,
  load(scale, durationMs) {
    return constantSessions((messagesPerSecondAt1MPerDay * scale) / turnsPerSession, durationMs, sessionMs);
  },
  session,
  faults: () => [],
  thresholds: {
    // k6 passes latency thresholds on an empty trend: a run that sent nothing must not pass.
    chat_messages: ['count>0'],
    payload_check_failures: ['count==0'],
    chat_errors: ['rate<0.01'],
  },
  gateThatMatters: ['payload_check_failures'],
  quickScale,
};
