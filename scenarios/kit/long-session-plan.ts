/**
 * Seed 000 s1/s3's power user as a session plan, shared by long-session (time-compressed) and
 * long-session-realtime (the model at its real speed): a greeting, then pasted reading notes of
 * 2,600-3,600 characters, and now and then a list of titles asked about by ordinal after the
 * hardened window (the first exchange and at most the last 10 turns) has slid past it, so only
 * the summary's entity map still holds the list.
 */
import type { SessionFactory, TurnPlan } from '../../engine/session-plan.ts';
import type { ThresholdSpec } from '../../engine/thresholds.ts';
import { desktopClient } from './client-profiles.ts';
import { expectTitleAt } from './coreference.ts';
import { greetings, listRequest, ordinalAsk, readingNotes } from './manga-questions.ts';
import { between, customerIdFor, pick } from './session-kit.ts';

/** What both long-session incidents gate on beside latency: the input stays bounded and the entity map resolves. */
export const longSessionGates: Record<string, ThresholdSpec[]> = {
  // k6 passes latency thresholds on an empty trend: a run that sent nothing must not pass.
  chat_messages: ['count>0'],
  chat_input_too_long: ['count==0'],
  llm_input_tokens_per_turn: ['max<10000'],
  coreference_misses: ['count==0'],
};

/** Turns from a list to the ordinal question about it: the list has left the window by then. */
export const askAfterListTurns = 14;
const listEvery = askAfterListTurns + 1;

/**
 * A list at turn 2 and every 15 turns after it while its ask still fits; an ask 14 turns after
 * each list, and on the last turn (about the newest list). 60 turns: lists 2, 17, 32 and asks
 * 16, 31, 46, 60; 20 turns: a list at 2 and asks at 16 and 20.
 */
export function listAndAskTurns(turns: number): { lists: ReadonlySet<number>; asks: ReadonlySet<number> } {
  const lists = new Set<number>();
  const asks = new Set<number>();
  for (let list = 2; list + askAfterListTurns <= turns; list += listEvery) {
    lists.add(list);
    asks.add(list + askAfterListTurns);
  }
  if (lists.size > 0) asks.add(turns);
  return { lists, asks };
}

export interface LongSessionPlanOptions {
  /** The incident id the customers are named after. */
  incident: string;
  turns: number;
  /** The think time before every turn but the first, drawn evenly from min to max. */
  thinkMs: readonly [min: number, max: number];
}

/** The plan's sessions; a seed and an index give the same session in both engines. */
export function longSessionPlan(options: LongSessionPlanOptions): SessionFactory {
  const { lists, asks } = listAndAskTurns(options.turns);
  const [minThinkMs, maxThinkMs] = options.thinkMs;
  return (index, random) => {
    // Asks cycle through positions 1-3 from a drawn start, so every position is asked about.
    let position = between(random, 0, 2);
    const turns: TurnPlan[] = [];
    for (let turn = 1; turn <= options.turns; turn += 1) {
      const thinkBeforeMs = turn === 1 ? 0 : between(random, minThinkMs, maxThinkMs);
      if (turn === 1) turns.push({ text: pick(random, greetings), thinkBeforeMs, expect: 'answer' });
      else if (lists.has(turn)) turns.push({ text: listRequest(random), thinkBeforeMs, expect: 'answer' });
      else if (asks.has(turn)) {
        position = position % 3 + 1;
        turns.push({ text: ordinalAsk(random, position), thinkBeforeMs, expect: 'answer', checkReply: expectTitleAt(position) });
      } else turns.push({ text: readingNotes(random, between(random, 2_600, 3_600)), thinkBeforeMs, expect: 'answer' });
    }
    return { client: desktopClient, customerId: customerIdFor(options.incident, index), turns };
  };
}
