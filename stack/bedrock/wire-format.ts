import type { ModelInfo } from './models.js';
import type { Conversation, Reply } from './responder.js';

/** What a finished (or cut) answer reports about itself. */
export interface Completion {
  messageId: string;
  model: ModelInfo;
  inputTokens: number;
  outputTokens: number;
  stopReason: Reply['stopReason'];
  /** Request received -> response complete. */
  latencyMs: number;
  /** Request received -> first text written. */
  firstByteLatencyMs: number;
}

/**
 * One request/response dialect: the Anthropic Messages body of InvokeModel, or Converse.
 * Each parses its body into a Conversation (throwing AwsError) and renders answers.
 */
export interface WireFormat {
  parse(body: unknown): Conversation;
  responseBody(completion: Completion, text: string): unknown;
  /** Frames written as soon as the stream starts, before the first text. */
  streamOpening(completion: Omit<Completion, 'outputTokens' | 'latencyMs' | 'firstByteLatencyMs' | 'stopReason'>): Buffer[];
  streamDelta(text: string): Buffer;
  streamClosing(completion: Completion): Buffer[];
}

/** A JSON object, or undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : undefined;
}

/** Claude 3 models answer with at most 4,096 tokens. */
export const maxOutputTokens = 4096;
