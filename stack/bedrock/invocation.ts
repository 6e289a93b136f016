import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { normal, type Random } from '../random.js';
import { anthropicMessages } from './anthropic-messages.js';
import { AwsError, awsErrors, writeAwsError } from './aws-errors.js';
import { converse } from './converse.js';
import { BodyTooLargeError, type Exchange } from './dual-protocol.js';
import type { EmulatorState } from './emulator-state.js';
import { decideFaults } from './faults.js';
import { planLatency } from './latency-model.js';
import { findModel, type ModelInfo } from './models.js';
import type { NewRecord, Operation } from './records.js';
import { respond } from './responder.js';
import { answerTimed, type PlannedAnswer } from './timed-answer.js';
import { countConversationTokens } from './tokens.js';
import type { WireFormat } from './wire-format.js';

export interface OperationSpec { name: Operation; format: WireFormat; streaming: boolean }

/** The last path segment of /model/{modelId}/… names the operation. */
export const operations: Readonly<Record<string, OperationSpec>> = {
  invoke: { name: 'InvokeModel', format: anthropicMessages, streaming: false },
  'invoke-with-response-stream': { name: 'InvokeModelWithResponseStream', format: anthropicMessages, streaming: true },
  converse: { name: 'Converse', format: converse, streaming: false },
  'converse-stream': { name: 'ConverseStream', format: converse, streaming: true },
};

// Far above any prompt the 200K-token limit allows, so that limit is what a big prompt meets.
const maxBodyBytes = 20 * 1024 * 1024;

/** Around the configured mean, never below 40% of it: answers vary in length like real ones. */
function jitteredTarget(mean: number, random: Random): number {
  return Math.max(Math.ceil(mean * 0.4), Math.round(mean * (1 + 0.25 * normal(random))));
}

const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function messageId(random: Random): string {
  let id = 'msg_bdrk_01';
  for (let i = 0; i < 22; i += 1) id += base62[Math.floor(random() * base62.length)];
  return id;
}

async function readJson(exchange: Exchange): Promise<unknown> {
  let body: Buffer;
  try {
    body = await exchange.readBody(maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw awsErrors.malformed(error.message);
    throw error;
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw awsErrors.malformed('the body is not valid JSON');
  }
}

function resolveModel(rawModelId: string): { modelId: string; model: ModelInfo } {
  let modelId: string;
  try {
    modelId = decodeURIComponent(rawModelId);
  } catch {
    throw awsErrors.invalidModel();
  }
  const model = findModel(modelId);
  if (!model) throw awsErrors.invalidModel();
  return { modelId, model };
}

/**
 * One model call: read and check the request, meet faults and quotas, decide the answer and
 * its timing, then hand it to the timed writer. Every call ends in exactly one record.
 */
export async function handleModelCall(exchange: Exchange, spec: OperationSpec, rawModelId: string,
  state: EmulatorState): Promise<void> {
  const origin = performance.now();
  const requestId = randomUUID();
  const record: NewRecord = {
    requestId, operation: spec.name, modelId: rawModelId, family: null, startedAt: Date.now(),
    inputTokens: 0, outputTokens: 0, plannedTtftMs: null, plannedDurationMs: null, ttftMs: null, durationMs: 0, status: 0, outcome: 'error',
  };
  try {
    const body = await readJson(exchange);
    // Checked after the body arrived: a call must not start once shutdown has ended the others.
    if (state.closing) throw awsErrors.shuttingDown();
    const { modelId, model } = resolveModel(rawModelId);
    Object.assign(record, { modelId, family: model.family });
    const conversation = spec.format.parse(body);
    record.inputTokens = countConversationTokens(conversation.system, conversation.messages);
    if (record.inputTokens > model.maxInputTokens) throw awsErrors.inputTooLong();

    const randomFor = state.nextCallRandomness();
    const faults = decideFaults(state.faults, model, randomFor('faults'));
    if (faults.error) throw faults.error;
    const reply = respond(conversation, {
      family: model.family,
      random: randomFor('reply'),
      targetOutputTokens: jitteredTarget(state.settings.targetOutputTokens, randomFor('length')),
    });
    const throttled = state.quotas.admit(model.family, record.inputTokens + reply.outputTokens);
    if (throttled) throw throttled;

    const plan = planLatency(model.family, record.inputTokens, reply.outputTokens, randomFor('latency'), state.settings.timeScale);
    const ttftMs = plan.ttftMs * faults.latencyFactor + faults.extraTtftMs;
    const tokenIntervalMs = plan.tokenIntervalMs * faults.latencyFactor;
    record.plannedTtftMs = ttftMs;
    record.plannedDurationMs = ttftMs + Math.max(0, reply.outputTokens - 1) * tokenIntervalMs;
    const answer: PlannedAnswer = {
      requestId, spec, model, reply, record, origin,
      messageId: messageId(randomFor('id')),
      ttftMs,
      tokenIntervalMs,
      midStreamError: spec.streaming ? faults.midStreamError : undefined,
      midStreamPause: spec.streaming ? faults.midStreamPause : undefined,
    };
    answerTimed(exchange, answer, state);
  } catch (error) {
    const failure = error instanceof AwsError ? error : new AwsError('InternalServerException');
    if (!(error instanceof AwsError)) state.logger.error({ err: error, requestId }, 'model call failed unexpectedly');
    writeAwsError(exchange, requestId, failure);
    state.records.add({
      ...record, status: failure.status, errorType: failure.type, durationMs: performance.now() - origin,
    });
  }
}
