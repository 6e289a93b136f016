import { AwsError, awsErrors } from './aws-errors.js';
import { chunkFrame } from './event-stream.js';
import type { ModelInfo } from './models.js';
import type { ChatTurn, Conversation } from './responder.js';
import { asRecord, type Completion, maxOutputTokens, type WireFormat } from './wire-format.js';

/**
 * The Anthropic Messages body InvokeModel carries for Claude on Bedrock. Envelope problems
 * read like Bedrock's schema check ("Malformed input request: #/max_tokens: …"); conversation
 * problems like Anthropic's own validation, which Bedrock passes through as they are.
 */
const anthropicVersion = 'bedrock-2023-05-31';
const allowedKeys = new Set(['anthropic_version', 'anthropic_beta', 'max_tokens', 'messages', 'system',
  'temperature', 'top_p', 'top_k', 'stop_sequences', 'tools', 'tool_choice']);

function schemaTypeName(value: unknown): string {
  if (value === null) return 'Null';
  if (Array.isArray(value)) return 'JSONArray';
  if (typeof value === 'number') return Number.isInteger(value) ? 'Integer' : 'BigDecimal';
  if (typeof value === 'object') return 'JSONObject';
  return typeof value === 'string' ? 'String' : 'Boolean';
}

function expectType(path: string, value: unknown, expected: string, ok: boolean): void {
  if (!ok) throw awsErrors.malformed(`#/${path}: expected type: ${expected}, found: ${schemaTypeName(value)}`);
}

function modelProblem(message: string): AwsError {
  return new AwsError('ValidationException', message);
}

/** A content field: a string, or text blocks (the only kind this emulator understands). */
function contentText(content: unknown, path: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) {
    throw modelProblem(`${path}: Input should be a valid string or a valid list of content blocks`);
  }
  return content.map((block, index) => {
    const record = asRecord(block);
    if (!record || record.type !== 'text') {
      throw modelProblem(`${path}.${index}.type: this emulator only accepts text content blocks`);
    }
    if (typeof record.text !== 'string') throw modelProblem(`${path}.${index}.text: Field required`);
    return record.text;
  }).join('\n');
}

function parseMessages(messages: unknown): ChatTurn[] {
  expectType('messages', messages, 'JSONArray', Array.isArray(messages));
  const list = messages as unknown[];
  if (list.length === 0) throw modelProblem('messages: at least one message is required');
  const turns = list.map((message, index): ChatTurn => {
    const record = asRecord(message);
    if (!record) throw modelProblem(`messages.${index}: Input should be a valid dictionary`);
    if (record.role !== 'user' && record.role !== 'assistant') {
      throw modelProblem(`messages.${index}.role: Input should be 'user' or 'assistant'`);
    }
    return { role: record.role, text: contentText(record.content, `messages.${index}.content`) };
  });
  turns.forEach((turn, index) => {
    if (index === 0 && turn.role !== 'user') throw modelProblem('messages: first message must use the "user" role');
    const previous = turns[index - 1];
    if (previous && previous.role === turn.role) {
      throw modelProblem(`messages: roles must alternate between "user" and "assistant", but found multiple "${turn.role}" roles in a row`);
    }
    const isFinalAssistant = index === turns.length - 1 && turn.role === 'assistant';
    if (turn.text.length === 0 && !isFinalAssistant) {
      throw modelProblem(`messages.${index}: all messages must have non-empty content except for the optional final assistant message`);
    }
  });
  return turns;
}

export function parseAnthropicBody(body: unknown): Conversation {
  const record = asRecord(body);
  if (!record) throw awsErrors.malformed(`#: expected type: JSONObject, found: ${schemaTypeName(body)}`);
  for (const key of Object.keys(record)) {
    if (!allowedKeys.has(key)) throw awsErrors.malformed(`#: extraneous key [${key}] is not permitted`);
  }
  for (const key of ['anthropic_version', 'max_tokens', 'messages']) {
    if (!(key in record)) throw awsErrors.malformed(`#: required key [${key}] not found`);
  }
  expectType('anthropic_version', record.anthropic_version, 'String', typeof record.anthropic_version === 'string');
  if (record.anthropic_version !== anthropicVersion) {
    throw awsErrors.malformed(`#/anthropic_version: ${String(record.anthropic_version)} is not a valid enum value`);
  }
  const maxTokens = record.max_tokens;
  expectType('max_tokens', maxTokens, 'Integer', Number.isInteger(maxTokens));
  if ((maxTokens as number) < 1) throw awsErrors.malformed(`#/max_tokens: ${String(maxTokens)} is not greater or equal to 1`);
  if ((maxTokens as number) > maxOutputTokens) {
    throw modelProblem(`max_tokens: ${String(maxTokens)} > ${maxOutputTokens}, which is the maximum allowed number of output tokens for this model`);
  }
  if ('temperature' in record) {
    expectType('temperature', record.temperature, 'Number', typeof record.temperature === 'number');
  }
  const system = record.system === undefined ? '' : contentText(record.system, 'system');
  return { system, messages: parseMessages(record.messages), maxTokens: maxTokens as number };
}

/** Bedrock reports the model without the provider prefix and version suffix. */
function modelName(model: ModelInfo): string {
  return model.id.replace(/^anthropic\./, '').replace(/-v\d+:\d+$/, '');
}

function invocationMetrics(completion: Completion) {
  return {
    inputTokenCount: completion.inputTokens,
    outputTokenCount: completion.outputTokens,
    invocationLatency: Math.round(completion.latencyMs),
    firstByteLatency: Math.round(completion.firstByteLatencyMs),
  };
}

export const anthropicMessages: WireFormat = {
  parse: parseAnthropicBody,

  responseBody: (completion, text) => ({
    id: completion.messageId,
    type: 'message',
    role: 'assistant',
    model: modelName(completion.model),
    content: [{ type: 'text', text }],
    stop_reason: completion.stopReason,
    stop_sequence: null,
    usage: { input_tokens: completion.inputTokens, output_tokens: completion.outputTokens },
  }),

  streamOpening: (opening) => [
    chunkFrame({
      type: 'message_start',
      message: {
        id: opening.messageId, type: 'message', role: 'assistant', model: modelName(opening.model),
        content: [], stop_reason: null, stop_sequence: null,
        usage: { input_tokens: opening.inputTokens, output_tokens: 1 },
      },
    }),
    chunkFrame({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
  ],

  streamDelta: (text) => chunkFrame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),

  streamClosing: (completion) => [
    chunkFrame({ type: 'content_block_stop', index: 0 }),
    chunkFrame({
      type: 'message_delta',
      delta: { stop_reason: completion.stopReason, stop_sequence: null },
      usage: { output_tokens: completion.outputTokens },
    }),
    chunkFrame({ type: 'message_stop', 'amazon-bedrock-invocationMetrics': invocationMetrics(completion) }),
  ],
};
