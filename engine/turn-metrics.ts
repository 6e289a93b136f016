import type { DoneFrame } from './chat-client.ts';
import { modelFamily, perModel, turnCostUsd } from './llm-cost.ts';
import type { MetricSink } from './metrics/run-metrics.ts';
import type { TurnPlan } from './session-plan.ts';

export const sessionNotFound = 'ORCH_ERR_SESSION_NOT_FOUND';
// The two refusals of an over-long model input (seed 000 s1, seed 004 s1).
const inputTooLongCodes = new Set(['ORCH_ERR_MODEL_INPUT_TOO_LONG', 'ORCH_ERR_CONTEXT_TOO_LARGE']);

/** Metrics of an answered turn; returns whether the server's turn count was the expected one. */
export function recordAnswer(
  metrics: MetricSink, turn: TurnPlan,
  answer: { done: DoneFrame; ttftMs: number | null; durationMs: number; reply: string | null },
  expectedTurnCount: number, previousReplies: readonly string[],
): boolean {
  const { done } = answer;
  metrics.rate('chat_errors', false);
  if (answer.ttftMs !== null) metrics.add('chat_ttft', answer.ttftMs);
  metrics.add('chat_turn_duration', answer.durationMs);
  metrics.add('llm_input_tokens', done.usage.inputTokens);
  metrics.add('llm_output_tokens', done.usage.outputTokens);
  metrics.add('llm_input_tokens_per_turn', done.usage.inputTokens);
  const cost = turnCostUsd(done.model, done.usage);
  metrics.add('llm_cost_usd', cost);
  const family = modelFamily(done.model);
  metrics.add(perModel('llm_input_tokens', family), done.usage.inputTokens);
  metrics.add(perModel('llm_output_tokens', family), done.usage.outputTokens);
  metrics.add(perModel('llm_cost_usd', family), cost);
  if (turn.expect !== 'answer') metrics.add('payload_check_failures', 1);
  if (turn.checkReply && answer.reply !== null && turn.checkReply(answer.reply, { previousReplies: [...previousReplies] }) !== null) {
    metrics.add('coreference_misses', 1);
  }
  const kept = done.turnCount === expectedTurnCount;
  if (!kept) metrics.add('session_context_lost', 1);
  return kept;
}

/**
 * Metrics of a refused turn. A refusal the plan expects (a payload test) is not a chat error.
 * A session the server no longer knows after it has answered has lost its context (Redis as
 * the only store evicting it, seed 002); `held.answers` is reset so the loss counts once.
 */
export function recordRefusal(metrics: MetricSink, turn: TurnPlan, refusal: { code: string; message: string }, held: { answers: number }): void {
  if (refusal.code === sessionNotFound && held.answers > 0) {
    metrics.add('session_context_lost', 1);
    held.answers = 0;
  }
  const expected = turn.expect;
  metrics.rate('chat_errors', expected === 'answer');
  if (inputTooLongCodes.has(refusal.code)) metrics.add('chat_input_too_long', 1);
  const asExpected = expected !== 'answer' && expected.refusedWith === refusal.code
    && (expected.message === undefined || expected.message === refusal.message);
  if (!asExpected) metrics.add('payload_check_failures', 1);
}

/** The turns a session will not send because the service ended it: offered, and turned away (both engines). */
export function recordForfeited(metrics: MetricSink, turns: number): void {
  if (turns > 0) metrics.add('chat_turns_forfeited', turns);
}
