import type { Logger } from 'pino';
import type { ModelFamily, ServiceConfig } from '../config.js';
import { buildContext, turnsToLoad } from '../context/build-context.js';
import { createSummariesAhead } from '../context/summaries-ahead.js';
import type { SummaryLease } from '../context/summary-lease.js';
import type { BuiltContext, Summariser } from '../context/types.js';
import { asServiceError, countedByModelLayer, serviceErrors, type ServiceError } from '../errors.js';
import { validateMessage } from '../input/validate-message.js';
import type { Llm, RestartReason } from '../llm/types.js';
import type { Exchange, LoadedSession, Memory, Turn, Usage } from '../memory/types.js';
import type { ServiceMetrics } from '../metrics.js';
import type { ResponseCache } from '../response-cache.js';
import type { Retrieval } from '../retrieval/types.js';

export interface ChatTurnDeps {
  config: ServiceConfig;
  memory: Memory;
  llm: Llm;
  retrieval: Retrieval;
  summariser: Summariser;
  /** One summary call per session across the fleet. */
  summaryLease: SummaryLease;
  responseCache: ResponseCache;
  metrics: ServiceMetrics;
  logger: Logger;
}

export interface TurnRequest {
  /** The caller has already checked that the client owns this session. */
  sessionId: string;
  messageId: string;
  text: string;
}

export interface TurnDone {
  messageId: string;
  reply: string;
  turnCount: number;
  usage: Usage;
  model: string;
  summarised: boolean;
  /** How the answer was made: by the model, from the response cache, or replayed for a retried messageId. */
  source: 'model' | 'cache' | 'replay';
}

export interface TurnListener {
  /** Each model delta, forwarded the moment it arrives: time to first token is the SLO. */
  onChunk(chunk: { seq: number; text: string }): void;
  /**
   * The model's stream failed after chunks went out and the answer starts again on Haiku: the
   * chunks so far are void, and the next chunk is seq 0 of the new answer.
   */
  onRestart?(restart: { reason: RestartReason }): void;
  /** Called once the exchange is durable, before the turn's follow-up work (summary, cache). */
  onDone?(done: TurnDone): void;
}

export interface ChatTurns {
  /** One turn end to end; rejects with a ServiceError (already logged and counted). */
  run(request: TurnRequest, listener: TurnListener): Promise<TurnDone>;
  /** Turns in flight on this worker. */
  inFlight(): number;
  /** Resolves when every turn in flight has finished (the drain waits on it). */
  settled(): Promise<void>;
}

const replayChunkCodePoints = 24;
// The same top 3 the context gets: the cache key and its invalidation refs cover every product the model could see.
const retrievalSize = 3;

function replayChunks(text: string): string[] {
  const codePoints = Array.from(text);
  const chunks: string[] = [];
  for (let i = 0; i < codePoints.length; i += replayChunkCodePoints) chunks.push(codePoints.slice(i, i + replayChunkCodePoints).join(''));
  return chunks;
}

/** Exchange k (1-based) holds turns 2k-2 and 2k-1, so the stored idx gives the turn count it was answered with. */
function turnCountOf(exchange: Exchange): number {
  return Math.floor(exchange.assistant.idx / 2) + 1;
}

/** A duplicate answers with its own exchange's count, as a replay does; a new turn with the session's. */
function doneTurnCount(stored: { exchange: Exchange; duplicate: boolean; turnCount: number }): number {
  return stored.duplicate ? turnCountOf(stored.exchange) : stored.turnCount;
}

export function createChatTurns(deps: ChatTurnDeps): ChatTurns {
  const { config, memory, llm, retrieval, responseCache, metrics, logger } = deps;
  const summaries = createSummariesAhead({
    config, summariser: deps.summariser, save: memory.saveSummary, lease: deps.summaryLease, metrics, logger,
  });
  const busySessions = new Set<string>();
  const running = new Set<Promise<unknown>>();

  const recentTurns = turnsToLoad(config);
  // The done names the model id; the metrics label by family, as llm_tokens_total and chat_ttft_seconds do.
  const familyOf = (modelId: string): ModelFamily => (modelId === config.bedrock.haikuModelId || /haiku/i.test(modelId) ? 'haiku' : 'sonnet');

  const fail = (error: unknown, request: TurnRequest): ServiceError => {
    const coded = asServiceError(error);
    if (!countedByModelLayer(coded)) metrics.errors.inc({ code: coded.code });
    const log = { code: coded.code, sessionId: request.sessionId, messageId: request.messageId, err: error };
    if (coded.status >= 500) logger.error(log, coded.detail);
    else logger.warn(log, coded.detail);
    return coded;
  };

  async function replay(exchange: Exchange, listener: TurnListener): Promise<TurnDone> {
    replayChunks(exchange.assistant.content).forEach((text, seq) => listener.onChunk({ seq, text }));
    const done: TurnDone = {
      messageId: exchange.messageId, reply: exchange.assistant.content, turnCount: turnCountOf(exchange),
      usage: exchange.usage, model: exchange.model, summarised: exchange.summarised, source: 'replay',
    };
    listener.onDone?.(done);
    return done;
  }

  async function answerFromCache(session: LoadedSession, request: TurnRequest, productIds: string[], arrivedAt: number, listener: TurnListener): Promise<TurnDone | null> {
    const cached = await responseCache.lookup(request.text, productIds);
    if (!cached) return null;
    // Labelled cache, not by family: a hit's first token is a Redis read, and mixed into a model's
    // series it would flatter that model's latency.
    metrics.ttft.observe({ model: 'cache' }, (performance.now() - arrivedAt) / 1_000);
    replayChunks(cached.reply).forEach((text, seq) => listener.onChunk({ seq, text }));
    const usage = { inputTokens: 0, outputTokens: 0 };
    const stored = await memory.appendExchange(request.sessionId, session.meta.nextIdx, {
      messageId: request.messageId, userText: request.text, assistantText: cached.reply, usage, model: cached.model, summarised: false,
    });
    const done: TurnDone = {
      messageId: request.messageId, reply: stored.exchange.assistant.content, turnCount: doneTurnCount(stored),
      usage: stored.exchange.usage, model: stored.exchange.model, summarised: false, source: stored.duplicate ? 'replay' : 'cache',
    };
    listener.onDone?.(done);
    return done;
  }

  async function streamFromModel(session: LoadedSession, request: TurnRequest, context: BuiltContext, arrivedAt: number, listener: TurnListener): Promise<TurnDone> {
    const elapsed = performance.now() - arrivedAt;
    const remaining = Math.max(1, Math.floor(config.timeouts.turnBudgetMs - elapsed));
    let reply = '';
    let seq = 0;
    let firstChunkAt: number | undefined;
    // The customer's first token came from the model whose stream failed, if one did.
    let firstModel: ModelFamily | undefined;
    const stream = llm.stream({
      model: 'sonnet',
      system: context.system,
      messages: context.messages,
      maxTokens: config.context.maxOutputTokens,
      // The model layer gives each attempt its own first-token timeout and each stream a gap
      // timeout inside this deadline, so a slow or stalled Sonnet still leaves Haiku the rest.
      timeoutMs: remaining,
      signal: AbortSignal.timeout(remaining),
      // Only the final answer is stored and counted; the time to first token stays the first ever.
      onRestart: (restart) => {
        firstModel ??= restart.from;
        reply = '';
        seq = 0;
        listener.onRestart?.({ reason: restart.reason });
      },
    });
    for await (const text of stream) {
      firstChunkAt ??= performance.now();
      listener.onChunk({ seq, text });
      seq += 1;
      reply += text;
    }
    const result = await stream.result;
    // Which model answered (Sonnet, or Haiku after a fallback) is known only once the stream ends.
    if (firstChunkAt !== undefined) metrics.ttft.observe({ model: firstModel ?? result.model }, (firstChunkAt - arrivedAt) / 1_000);
    metrics.contextInputTokens.observe({ model: result.model }, context.estimatedInputTokens);
    const stored = await memory.appendExchange(request.sessionId, session.meta.nextIdx, {
      messageId: request.messageId,
      userText: context.storedUserText,
      assistantText: reply,
      usage: result.usage,
      model: result.modelId,
      summarised: context.summarised,
    });
    const done: TurnDone = {
      messageId: request.messageId, reply: stored.exchange.assistant.content, turnCount: doneTurnCount(stored),
      usage: stored.exchange.usage, model: stored.exchange.model, summarised: stored.exchange.summarised,
      source: stored.duplicate ? 'replay' : 'model',
    };
    listener.onDone?.(done);
    return done;
  }

  /** The behind case: the summary was still being made, so the turn went without part of it. */
  function noteSummaryBehind(request: TurnRequest, context: BuiltContext): void {
    const { uncovered, sentWhole } = context.summaryBehind;
    if (uncovered === 0) return;
    metrics.summaryBehind.inc();
    logger.info({ sessionId: request.sessionId, messageId: request.messageId, uncoveredTurns: uncovered, sentWhole },
      'context summary behind; the uncovered turns that fit went in whole');
  }

  /** The exchange just stored, as the next turn will load it (the summary ahead folds from it). */
  function storedTurns(session: LoadedSession, request: TurnRequest, context: BuiltContext, done: TurnDone): [Turn, Turn] {
    const idx = session.meta.nextIdx;
    const ts = Date.now();
    return [
      { idx, role: 'user', content: context.storedUserText, messageId: request.messageId, ts },
      { idx: idx + 1, role: 'assistant', content: done.reply, messageId: request.messageId, ts },
    ];
  }

  async function turn(request: TurnRequest, listener: TurnListener, arrivedAt: number): Promise<TurnDone> {
    validateMessage(request.text, config);
    const session = await memory.loadSession(request.sessionId, { recentTurns });
    if (!session) throw serviceErrors.sessionNotFound();
    // A retried send is almost always of a recent turn, which the loaded window shows, so the
    // stored exchange is read only then: one store read less before every first token. A retry
    // older than the window still makes no second turn: appendExchange's idempotency item
    // refuses it and returns the stored exchange (the model call is wasted, the turn is not).
    if (session.turns.some((stored) => stored.messageId === request.messageId)) {
      const previous = await memory.findExchange(request.sessionId, request.messageId);
      if (previous) return replay(previous, listener);
    }

    // Only a session's first question is free of context, so only its answer may be shared.
    const cacheable = session.meta.turnCount === 0;
    const retrievedAt = Date.now();
    let productIds: string[] = [];
    if (cacheable) {
      const hits = await retrieval.search({ query: { match: { text: request.text } }, size: retrievalSize });
      productIds = hits.hits.hits.map((hit) => hit._id);
      const fromCache = await answerFromCache(session, request, productIds, arrivedAt, listener);
      if (fromCache) return fromCache;
    }
    const context = await buildContext({ config, session, question: request.text, retrieval, summaries, logger });
    noteSummaryBehind(request, context);
    const done = await streamFromModel(session, request, context, arrivedAt, listener);
    // Off the hot path: the customer reads the answer and types while Haiku folds what the next window drops.
    if (done.source === 'model') summaries.foldAfterTurn(session, storedTurns(session, request, context, done), context.fixedTokens);
    if (cacheable && done.source === 'model') {
      await responseCache.store(request.text, productIds, { reply: done.reply, model: done.model, retrievedAt });
    }
    return done;
  }

  return {
    run(request, listener) {
      const arrivedAt = performance.now();
      if (busySessions.has(request.sessionId)) return Promise.reject(fail(serviceErrors.concurrentTurn(), request));
      busySessions.add(request.sessionId);
      // The session is free the moment its done is sent: a client may send its next message
      // on hearing it, while this turn still saves its summary and caches its answer.
      const release = () => busySessions.delete(request.sessionId);
      const releasing: TurnListener = {
        onChunk: listener.onChunk,
        ...(listener.onRestart ? { onRestart: listener.onRestart } : {}),
        onDone: (done) => {
          release();
          listener.onDone?.(done);
        },
      };
      const work = turn(request, releasing, arrivedAt).then(
        (done) => {
          metrics.turnDuration.observe({ model: familyOf(done.model), outcome: done.source }, (performance.now() - arrivedAt) / 1_000);
          return done;
        },
        (error: unknown) => {
          const coded = fail(error, request);
          metrics.turnDuration.observe({ model: 'none', outcome: 'error' }, (performance.now() - arrivedAt) / 1_000);
          throw coded;
        },
      ).finally(() => {
        release();
        running.delete(work);
      });
      running.add(work);
      return work;
    },
    inFlight: () => running.size,
    async settled() {
      while (running.size > 0) await Promise.allSettled([...running]);
      await summaries.settled();
    },
  };
}
