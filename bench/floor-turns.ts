/**
 * What a hardened turn cannot do without, and nothing else (bench/floor-server.ts serves it):
 * the strongly consistent META read and the Redis read of the session copy side by side, the
 * model stream read to its end with one frame per delta, the exchange's transaction, one SET
 * that keeps the copy current (without it the Redis read would have nothing to read), then
 * `done`. Once the window slides, a Haiku summary of what the next turn's window drops and its
 * save transaction follow the done, one per turn, as the service makes them. The store calls
 * are the service's own code (createDynamoStore), so items and transactions have its shapes.
 */
import { settleWithin } from '../service/settle-within.js';
import { InvokeModelCommand, InvokeModelWithResponseStreamCommand, type BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { parseEntities, summaryPrompt } from '../service/context/summariser.js';
import type { ServiceConfig } from '../service/config.js';
import type { StoredMeta } from '../service/memory/dynamo-items.js';
import type { DynamoStore } from '../service/memory/dynamo-memory.js';
import { ownerTokenMatches, sessionIdPattern } from '../service/memory/session-ids.js';
import { signSummary, signTurn, type StoredSummary, type StoredTurn, type TurnSigner } from '../service/memory/turn-signing.js';
import type { Usage } from '../service/memory/types.js';
import {
  copyAfterExchange, copyWithSummary, emptyCopy, type FloorCopy, floorWindow, modelBody, usableCopy,
} from './floor-window.js';

export interface FloorDeps {
  config: ServiceConfig;
  store: DynamoStore;
  redis: Redis;
  bedrock: BedrockRuntimeClient;
  signer: TurnSigner;
  logger: Logger;
}

/** Counts a bench reads to show the floor did what it claims (a copy miss costs DynamoDB queries). */
export interface FloorStats { turns: number; failedTurns: number; copyMisses: number; summaries: number; failedSummaries: number }

export type FloorFrame =
  | { type: 'chunk'; messageId: string; seq: number; text: string }
  | { type: 'done'; messageId: string; turnCount: number; usage: Usage; model: string; summarised: boolean };

export interface Floor {
  createSession(customerId: string): Promise<{ sessionId: string; token: string; expiresAt: number }>;
  /** The session's turn count when the token owns it; null otherwise. */
  authenticate(sessionId: string, token: string): Promise<{ turnCount: number } | null>;
  /** One turn: frames go to `send`; resolves after `done`, while a due summary goes on behind it. */
  turn(sessionId: string, messageId: string, text: string, send: (frame: FloorFrame) => void): Promise<void>;
  /** Its socket closed: a summary still running for it writes no copy. */
  closed(sessionId: string): void;
  stats(): FloorStats;
}

interface StreamEvent {
  type?: string;
  message?: { usage?: { input_tokens?: number } };
  delta?: { type?: string; text?: string };
  usage?: { output_tokens?: number };
  'amazon-bedrock-invocationMetrics'?: { inputTokenCount?: number; outputTokenCount?: number };
}

const decoder = new TextDecoder();
const copyKey = (sessionId: string) => `floor:session:${sessionId}`;

export function createFloor(deps: FloorDeps): Floor {
  const { config, store, redis, bedrock, signer, logger } = deps;
  const stats: FloorStats = { turns: 0, failedTurns: 0, copyMisses: 0, summaries: 0, failedSummaries: 0 };
  // As many turns as the service's copy holds: the window and the turns it dropped since the last summary.
  const copyCapacity = 2 * config.context.maxRecentTurns;
  // A summary writes its copy only if no later turn of the session has started (it would overwrite that turn's copy).
  const turnsStarted = new Map<string, number>();
  const summariesInFlight = new Map<string, Promise<void>>();

  // The copy is never the only one: a failed write costs the next turn a store read, never the turn.
  const writeCopy = (copy: FloorCopy) => redis.set(copyKey(copy.stored.meta.sessionId), JSON.stringify(copy), 'EX', config.cacheTtlSeconds)
    .then(() => undefined, (error: unknown) => logger.warn({ err: error }, 'floor copy not written'));

  const copyFromStore = async (stored: StoredMeta): Promise<FloorCopy> => {
    stats.copyMisses += 1;
    const raw = await store.loadRawFrom(stored, copyCapacity);
    const copy = { stored, turns: raw.turns, firstTurns: raw.firstTurns, summary: raw.summary };
    await writeCopy(copy);
    return copy;
  };

  const streamAnswer = async (body: string, onDelta: (text: string) => void): Promise<{ reply: string; usage: Usage }> => {
    const response = await bedrock.send(new InvokeModelWithResponseStreamCommand({
      modelId: config.bedrock.sonnetModelId, contentType: 'application/json', accept: 'application/json', body,
    }), { abortSignal: AbortSignal.timeout(config.timeouts.turnBudgetMs) });
    if (!response.body) throw new Error('the model answered without a stream');
    const usage: Usage = { inputTokens: 0, outputTokens: 0 };
    let reply = '';
    for await (const event of response.body) {
      const bytes = event.chunk?.bytes;
      if (!bytes) continue;
      const parsed = JSON.parse(decoder.decode(bytes)) as StreamEvent;
      if (parsed.type === 'content_block_delta' && parsed.delta?.type === 'text_delta' && parsed.delta.text) {
        reply += parsed.delta.text;
        onDelta(parsed.delta.text);
      } else if (parsed.type === 'message_start') usage.inputTokens = parsed.message?.usage?.input_tokens ?? usage.inputTokens;
      else if (parsed.type === 'message_delta') usage.outputTokens = parsed.usage?.output_tokens ?? usage.outputTokens;
      else if (parsed.type === 'message_stop') {
        const metrics = parsed['amazon-bedrock-invocationMetrics'];
        usage.inputTokens = metrics?.inputTokenCount ?? usage.inputTokens;
        usage.outputTokens = metrics?.outputTokenCount ?? usage.outputTokens;
      }
    }
    return { reply, usage };
  };

  const summarise = async (turns: StoredTurn[], previous: StoredSummary | null): Promise<StoredSummary> => {
    const prompt = summaryPrompt(turns, previous);
    const response = await bedrock.send(new InvokeModelCommand({
      modelId: config.bedrock.haikuModelId, contentType: 'application/json', accept: 'application/json',
      body: JSON.stringify({
        anthropic_version: 'bedrock-2023-05-31', max_tokens: config.context.summaryMaxTokens, system: prompt.system,
        messages: [{ role: 'user', content: prompt.text }],
      }),
    }), { abortSignal: AbortSignal.timeout(config.timeouts.modelMaxMs) });
    const parsed = JSON.parse(decoder.decode(response.body)) as { content?: Array<{ type?: string; text?: string }> };
    const text = (parsed.content ?? []).filter((block) => block.type === 'text').map((block) => block.text ?? '').join('');
    const last = turns.at(-1) as StoredTurn;
    return signSummary(signer, {
      text: text.split('\n').filter((line) => !line.trimStart().startsWith('エンティティ')).join(' ').trim(),
      throughIdx: Math.max(last.idx, previous?.throughIdx ?? -1),
      entities: parseEntities(text) ?? { ...(previous?.entities ?? {}) },
    });
  };

  const summariseAfterDone = async (sessionId: string, turns: StoredTurn[], copy: FloorCopy, startedAsTurn: number) => {
    try {
      const summary = await summarise(turns, copy.summary);
      await store.saveSummary(sessionId, summary);
      stats.summaries += 1;
      if (turnsStarted.get(sessionId) === startedAsTurn) await writeCopy(copyWithSummary(copy, summary));
    } catch (error) {
      stats.failedSummaries += 1;
      logger.warn({ err: error, sessionId }, 'floor summary failed');
    }
  };

  return {
    async createSession(customerId) {
      const { meta, token } = await store.createSession({ customerId });
      await writeCopy(emptyCopy({ meta, summaryThroughIdx: -1 }));
      return { sessionId: meta.sessionId, token, expiresAt: meta.expiresAt };
    },

    async authenticate(sessionId, token) {
      if (!sessionIdPattern.test(sessionId)) return null;
      const stored = await store.readStoredMeta(sessionId);
      return stored && ownerTokenMatches(stored.meta.ownerTokenHash, token) ? { turnCount: stored.meta.turnCount } : null;
    },

    async turn(sessionId, messageId, text, send) {
      const summarising = summariesInFlight.get(sessionId);
      // As the service does, a turn that comes while its session's summary is still being made waits for it a short bound at most.
      if (summarising) await settleWithin(summarising, config.context.summaryWaitMs, () => undefined);
      const started = (turnsStarted.get(sessionId) ?? 0) + 1;
      turnsStarted.set(sessionId, started);
      try {
        const [stored, cached] = await Promise.all([
          store.readStoredMeta(sessionId), redis.get(copyKey(sessionId)).catch(() => null),
        ]);
        if (!stored) throw new Error(`session ${sessionId} not found`);
        const copy = usableCopy(cached, stored, signer) ?? await copyFromStore(stored);
        const window = floorWindow(copy, config.context.maxRecentTurns);
        let seq = 0;
        const { reply, usage } = await streamAnswer(modelBody(window, copy.summary, text, config.context.maxOutputTokens),
          (delta) => send({ type: 'chunk', messageId, seq: seq++, text: delta }));
        const result = await store.appendExchange(sessionId, stored.meta.nextIdx, {
          messageId, userText: text, assistantText: reply, usage, model: config.bedrock.sonnetModelId, summarised: copy.summary !== null,
        });
        const next = result.duplicate ? copy
          : copyAfterExchange(copy, [signTurn(signer, result.exchange.user), signTurn(signer, result.exchange.assistant)], copyCapacity);
        if (!result.duplicate) await writeCopy(next);
        const { exchange } = result;
        send({ type: 'done', messageId, turnCount: result.turnCount, usage: exchange.usage, model: exchange.model, summarised: exchange.summarised });
        stats.turns += 1;
        // As the service does: after the done, fold what the next turn's window will drop.
        const ahead = floorWindow(next, config.context.maxRecentTurns).unsummarised;
        if (ahead.length > 0) {
          const folding = summariseAfterDone(sessionId, ahead, next, started)
            .finally(() => { if (summariesInFlight.get(sessionId) === folding) summariesInFlight.delete(sessionId); });
          summariesInFlight.set(sessionId, folding);
        }
      } catch (error) {
        stats.failedTurns += 1;
        throw error;
      }
    },

    closed: (sessionId) => { turnsStarted.delete(sessionId); },
    stats: () => ({ ...stats }),
  };
}
