import type { LlmMessage } from '../llm/types.js';
import { serviceErrors } from '../errors.js';
import type { LoadedSession, SessionSummary, Turn } from '../memory/types.js';
import { settleWithin } from '../settle-within.js';
import { budgetedRetrieval, unbudgetedRetrieval } from './retrieval-block.js';
import { systemPrompt } from './system-prompt.js';
import { clipToTokens, estimateTokens } from './token-estimate.js';
import type { BuildContextInput, BuiltContext } from './types.js';
import { fencedUserInput, fenceTokens, newUserInputId } from './user-input.js';

export const questionMarker = '質問:';
const summaryHeader = '[これまでの会話の要約]';
const retrievalSize = 3;
// A turn squeezed to make room is still worth keeping a sentence or two of.
const minClippedTurnTokens = 60;

/**
 * How many recent turns the caller should load for buildContext: the window, plus room for
 * the turns that fall out of it since the last summary, so they can be folded in.
 */
export function turnsToLoad(config: BuildContextInput['config']): number | 'all' {
  return config.naive.fullHistory ? 'all' : config.context.maxRecentTurns * 2;
}

/** The service's blocks, then the question fenced as the customer's data (issue 14). */
function userMessage(blocks: string[], question: string, inputId: string): string {
  return [...blocks.filter((block) => block.length > 0), `${questionMarker}\n${fencedUserInput(question, inputId)}`].join('\n\n');
}

/** A stored turn as the prompt sends it back: the customer's words fenced like the question. */
function promptMessage(turn: Turn, inputId: string): LlmMessage {
  return { role: turn.role, text: turn.role === 'user' ? fencedUserInput(turn.content, inputId) : turn.content };
}

/** Alternating roles starting with the user: turns lost to forgery checks leave same-role neighbours, which are joined. */
function alternating(messages: LlmMessage[]): LlmMessage[] {
  const result: LlmMessage[] = [];
  for (const message of messages) {
    if (message.text.length === 0) continue;
    const previous = result.at(-1);
    if (previous && previous.role === message.role) previous.text = `${previous.text}\n\n${message.text}`;
    else if (previous || message.role === 'user') result.push({ ...message });
  }
  return result;
}

function countTokens(system: string, messages: LlmMessage[]): number {
  return messages.reduce((sum, message) => sum + estimateTokens(message.text), estimateTokens(system));
}

/** What sending a turn adds to its content's estimate: a user turn's fence (neutralising never adds). */
function fenceCost(turn: Turn): number {
  return turn.role === 'user' ? fenceTokens : 0;
}

function turnCost(turn: Turn): number {
  return estimateTokens(turn.content) + fenceCost(turn);
}

function turnTokens(turns: ReadonlyArray<Turn>): number {
  return turns.reduce((sum, turn) => sum + turnCost(turn), 0);
}

function summaryBlock(summary: SessionSummary | null, maxTokens: number): string {
  if (!summary || (summary.text.length === 0 && Object.keys(summary.entities).length === 0)) return '';
  const entities = `エンティティ: ${JSON.stringify(summary.entities)}`;
  const textBudget = Math.max(0, maxTokens - estimateTokens(summaryHeader) - estimateTokens(entities) - 2);
  const text = clipToTokens(summary.text, textBudget);
  return [summaryHeader, text, entities].filter((line) => line.length > 0).join('\n');
}

interface Window { first: Turn[]; recent: Turn[]; dropped: Turn[] }

/** The first exchange, then the newest turns that fit (up to the maximum, never below the minimum). */
function chooseWindow(session: LoadedSession, available: number, config: BuildContextInput['config']): Window {
  const { maxRecentTurns, minRecentTurns } = config.context;
  const first = session.firstTurns;
  const firstIdx = new Set(first.map((turn) => turn.idx));
  const history = session.turns.filter((turn) => !firstIdx.has(turn.idx));
  let start = Math.max(0, history.length - maxRecentTurns);
  while (history.length - start > minRecentTurns && turnTokens(first) + turnTokens(history.slice(start)) > available) start += 1;
  let recent = history.slice(start);
  let kept = first;
  const used = turnTokens(first) + turnTokens(recent);
  if (used > available) {
    const perTurn = Math.max(minClippedTurnTokens, Math.floor(available / Math.max(1, first.length + recent.length)));
    const clip = (turn: Turn): Turn => ({ ...turn, content: clipToTokens(turn.content, perTurn - fenceCost(turn)) });
    kept = first.map(clip);
    recent = recent.map(clip);
  }
  return { first: kept, recent, dropped: history.slice(0, start) };
}

/** The summary that covers more turns (later summaries fold earlier ones in). */
export function newerSummary(a: SessionSummary | null, b: SessionSummary | null): SessionSummary | null {
  if (!a) return b;
  if (!b) return a;
  return b.throughIdx > a.throughIdx ? b : a;
}

/**
 * The newest summary known when it covers every dropped turn. Otherwise a summary made after
 * the previous turn's done is still running: the turn waits for it a short bound at most
 * (config.context.summaryWaitMs), never for a Haiku call of its own, so the first token does not wait.
 */
async function summaryFor(input: BuildContextInput, dropped: Turn[]): Promise<SessionSummary | null> {
  const { sessionId } = input.session.meta;
  const known = newerSummary(input.session.summary, input.summaries.latest(sessionId));
  const lastDropped = dropped.at(-1);
  if (!lastDropped || (known && known.throughIdx >= lastDropped.idx)) return known;
  const pending = input.summaries.inFlight(sessionId);
  if (!pending) return known;
  return newerSummary(known, (await settleWithin(pending, input.config.context.summaryWaitMs, () => null)));
}

/** The dropped turns `summary` does not cover yet. */
function uncoveredBy(summary: SessionSummary | null, dropped: ReadonlyArray<Turn>): Turn[] {
  return dropped.filter((turn) => turn.idx > (summary?.throughIdx ?? -1));
}

/** The newest of `turns` whose tokens fit in `room`, chronological. */
function newestThatFit(turns: ReadonlyArray<Turn>, room: number): Turn[] {
  const kept: Turn[] = [];
  let left = room;
  for (let i = turns.length - 1; i >= 0; i -= 1) {
    const turn = turns[i] as Turn;
    const tokens = turnCost(turn);
    if (tokens > left) break;
    left -= tokens;
    kept.unshift(turn);
  }
  return kept;
}

function windowRoom(config: BuildContextInput['config'], fixedTokens: number): number {
  return config.context.inputBudgetTokens - fixedTokens - config.context.summaryMaxTokens;
}

/**
 * The turns the next turn's window will drop that `summary` does not cover yet: what a summary
 * made now, after the turn's done, must fold in. `fixedTokens` is this turn's system prompt,
 * retrieval and question, the best guess at the next one's.
 */
export function turnsToFold(config: BuildContextInput['config'], session: LoadedSession, summary: SessionSummary | null, fixedTokens: number): Turn[] {
  if (config.naive.fullHistory) return [];
  return uncoveredBy(summary, chooseWindow(session, windowRoom(config, fixedTokens), config).dropped);
}

/** The session as the next turn will load it: this exchange appended to the turns loaded for this one. */
export function withExchange(session: LoadedSession, exchange: [user: Turn, assistant: Turn], config: BuildContextInput['config']): LoadedSession {
  const wanted = turnsToLoad(config);
  const turns = [...session.turns, ...exchange];
  return {
    ...session,
    turns: wanted === 'all' ? turns : turns.slice(-wanted),
    firstTurns: session.firstTurns.length > 0 ? session.firstTurns : [...exchange],
  };
}

function guard(input: BuildContextInput, tokens: number): void {
  const { warnAboveTokens, refuseAboveTokens } = input.config.context;
  // The original bug (naive fullHistory) had no pre-call check: the model's "Input is too long" stopped the session.
  const refuses = !input.config.naive.fullHistory;
  if (refuses && tokens > refuseAboveTokens) throw serviceErrors.contextTooLarge(tokens, refuseAboveTokens);
  if (tokens > warnAboveTokens) {
    input.logger?.warn({ sessionId: input.session.meta.sessionId, estimatedInputTokens: tokens, limit: warnAboveTokens },
      'context above the warning size');
  }
}

async function naiveContext(input: BuildContextInput): Promise<BuiltContext> {
  const retrieved = await unbudgetedRetrieval(input.retrieval, input.question);
  // The original stores its retrieval with the question and sends history as stored; only the question is fenced.
  const storedUserText = userMessage([retrieved.text], input.question, newUserInputId());
  const seen = new Set<number>();
  const turns = [...input.session.firstTurns, ...input.session.turns]
    .filter((turn) => !seen.has(turn.idx) && seen.add(turn.idx))
    .sort((a, b) => a.idx - b.idx);
  const messages = alternating([
    ...turns.map((turn) => ({ role: turn.role, text: turn.content })),
    { role: 'user', text: storedUserText },
  ]);
  // Nothing is windowed: the whole input is fixed.
  const estimatedInputTokens = countTokens(systemPrompt, messages);
  return {
    system: systemPrompt, messages, estimatedInputTokens, summarised: false,
    droppedTurns: 0, retrievedProductIds: retrieved.productIds, storedUserText,
    fixedTokens: estimatedInputTokens, summaryBehind: { uncovered: 0, sentWhole: 0 },
  };
}

async function hardenedContext(input: BuildContextInput): Promise<BuiltContext> {
  const { config, question } = input;
  const retrieved = await budgetedRetrieval(input.retrieval, question, retrievalSize, config.context.retrievalBudgetTokens);
  const inputId = newUserInputId();
  const fixedTokens = estimateTokens(systemPrompt) + estimateTokens(userMessage([retrieved.text], question, inputId));
  const room = windowRoom(config, fixedTokens);
  const window = chooseWindow(input.session, room, config);
  const summary = await summaryFor(input, window.dropped);
  // Behind: the summary lags the window. The dropped turns it lacks go in whole, newest first,
  // as far as the budget allows, so a "2番目のやつ" still finds the list it points at.
  const uncovered = uncoveredBy(summary, window.dropped);
  const catchUp = newestThatFit(uncovered, room - turnTokens(window.first) - turnTokens(window.recent));
  const memory = summaryBlock(window.dropped.length > 0 ? summary : null, config.context.summaryMaxTokens);
  const messages = alternating([
    ...[...window.first, ...catchUp, ...window.recent].map((turn) => promptMessage(turn, inputId)),
    { role: 'user', text: userMessage([memory, retrieved.text], question, inputId) },
  ]);
  return {
    system: systemPrompt, messages, estimatedInputTokens: countTokens(systemPrompt, messages),
    summarised: memory.length > 0, droppedTurns: window.dropped.length - catchUp.length, retrievedProductIds: retrieved.productIds,
    storedUserText: question, fixedTokens, summaryBehind: { uncovered: uncovered.length, sentWhole: catchUp.length },
  };
}

/**
 * The model input for one turn (seed 004 s1's 6,000-token budget, seed 000 s1/s3's window and
 * entity-keeping summary), or, with the naive fullHistory switch, the unbounded original.
 */
export async function buildContext(input: BuildContextInput): Promise<BuiltContext> {
  const built = input.config.naive.fullHistory ? await naiveContext(input) : await hardenedContext(input);
  guard(input, built.estimatedInputTokens);
  return built;
}
