import { AwsError } from './aws-errors.js';
import { eventFrame } from './event-stream.js';
import type { ChatTurn, Conversation } from './responder.js';
import { asRecord, maxOutputTokens, type WireFormat } from './wire-format.js';

/**
 * Converse and ConverseStream: Bedrock's model-neutral dialect. Its errors read like the
 * service's own field validation ("1 validation error detected: …").
 */
function invalid(message: string): AwsError {
  return new AwsError('ValidationException', message);
}

function constraint(value: unknown, path: string, rule: string): AwsError {
  const shown = value === undefined || value === null ? 'null' : JSON.stringify(value);
  return invalid(`1 validation error detected: Value ${shown} at '${path}' failed to satisfy constraint: ${rule}`);
}

function blocksText(blocks: unknown, path: string): string {
  if (!Array.isArray(blocks)) throw constraint(blocks, path, 'Member must not be null');
  return blocks.map((block, index) => {
    const record = asRecord(block);
    if (!record || typeof record.text !== 'string') {
      throw invalid(`The ${path}.${index} block is not supported by this emulator; send text blocks ({"text": "…"}).`);
    }
    return record.text;
  }).join('\n');
}

function parseMessages(messages: unknown): ChatTurn[] {
  if (!Array.isArray(messages)) throw constraint(messages, 'messages', 'Member must not be null');
  const turns = messages.map((message, index): ChatTurn => {
    const record = asRecord(message);
    const role = record?.role;
    if (role !== 'user' && role !== 'assistant') {
      throw constraint(role, `messages.${index + 1}.member.role`, 'Member must satisfy enum value set: [user, assistant]');
    }
    return { role, text: blocksText(record?.content, `messages.${index + 1}.member.content`) };
  });
  if (turns[0]?.role !== 'user') {
    throw invalid('A conversation must start with a user message. Try again with a conversation that starts with a user message.');
  }
  turns.forEach((turn, index) => {
    if (index > 0 && turns[index - 1]?.role === turn.role) {
      throw invalid('A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.');
    }
    if (turn.text.length === 0) {
      throw invalid(`The text field in the ContentBlock object at messages.${index}.content.0 is blank. Add text to the text field, and try again.`);
    }
  });
  return turns;
}

function parseMaxTokens(inferenceConfig: unknown): number {
  if (inferenceConfig === undefined) return maxOutputTokens;
  const record = asRecord(inferenceConfig);
  if (!record) throw constraint(inferenceConfig, 'inferenceConfig', 'Member must be an object');
  const maxTokens = record.maxTokens;
  if (maxTokens === undefined) return maxOutputTokens;
  if (!Number.isInteger(maxTokens) || (maxTokens as number) < 1) {
    throw constraint(maxTokens, 'inferenceConfig.maxTokens', 'Member must have value greater than or equal to 1');
  }
  if ((maxTokens as number) > maxOutputTokens) {
    throw invalid(`The maximum tokens you requested exceeds the model limit of ${maxOutputTokens}. Try again with a maximum tokens value that is lower than ${maxOutputTokens}.`);
  }
  return maxTokens as number;
}

export function parseConverseBody(body: unknown): Conversation {
  const record = asRecord(body);
  if (!record) throw invalid('Malformed input request: the Converse body must be a JSON object.');
  const system = record.system === undefined ? '' : blocksText(record.system, 'system');
  return { system, messages: parseMessages(record.messages), maxTokens: parseMaxTokens(record.inferenceConfig) };
}

export const converse: WireFormat = {
  parse: parseConverseBody,

  responseBody: (completion, text) => ({
    output: { message: { role: 'assistant', content: [{ text }] } },
    stopReason: completion.stopReason,
    usage: {
      inputTokens: completion.inputTokens,
      outputTokens: completion.outputTokens,
      totalTokens: completion.inputTokens + completion.outputTokens,
    },
    metrics: { latencyMs: Math.round(completion.latencyMs) },
  }),

  streamOpening: () => [eventFrame('messageStart', { role: 'assistant' })],

  streamDelta: (text) => eventFrame('contentBlockDelta', { delta: { text }, contentBlockIndex: 0 }),

  streamClosing: (completion) => [
    eventFrame('contentBlockStop', { contentBlockIndex: 0 }),
    eventFrame('messageStop', { stopReason: completion.stopReason }),
    eventFrame('metadata', {
      usage: {
        inputTokens: completion.inputTokens,
        outputTokens: completion.outputTokens,
        totalTokens: completion.inputTokens + completion.outputTokens,
      },
      metrics: { latencyMs: Math.round(completion.latencyMs) },
    }),
  ],
};
