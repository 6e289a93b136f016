import type { Logger } from 'pino';
import type { ModelFamily, ServiceConfig } from '../config.js';
import type { ServiceError } from '../errors.js';
import type { ServiceMetrics } from '../metrics.js';
import { estimateTokens } from '../context/token-estimate.js';
import type { CallOutcome, ModelTransport } from './bedrock-calls.js';
import { classifyFailure, type ClassifiedFailure, type FailureKind } from './model-errors.js';
import { modelTimeoutMs } from './model-timeout.js';
import { restartReason, type StreamExpiry } from './stream-restart.js';
import type { Llm, LlmRequest, LlmResult, LlmStream } from './types.js';

export interface ResilientLlmDeps {
  transport: ModelTransport;
  config: ServiceConfig;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Backoff jitter; injectable so a test can replay it. */
  random?: () => number;
}

// Sonnet failures that Haiku can still answer within the turn (seed 004 s1's fallback).
const fallbackKinds: ReadonlySet<FailureKind> = new Set(['throttled', 'timeout', 'unavailable']);

interface OpenAttempt<T> {
  value: T;
  family: ModelFamily;
  modelId: string;
  /** Stops listening to the caller's signal. */
  release(): void;
  abort(): void;
}

/** A stream attempt is open once its first delta is in. */
interface OpenStream {
  events: AsyncGenerator<string, CallOutcome>;
  first: IteratorResult<string, CallOutcome>;
}

// Failures Haiku cannot do better on: a stop the caller asked for, an input too long for any model.
const notRestartable: ReadonlySet<FailureKind> = new Set(['cancelled', 'inputTooLong']);

/** A caller's AbortSignal.timeout() is a deadline: its expiry is a timeout, not a cancellation. */
function callerCancelled(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && !(signal.reason instanceof Error && signal.reason.name === 'TimeoutError');
}

function callerDeadlinePassed(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && !callerCancelled(signal);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function createResilientLlm(deps: ResilientLlmDeps): Llm {
  const { transport, config, logger, metrics } = deps;
  const random = deps.random ?? Math.random;
  const modelIds: Record<ModelFamily, string> = { sonnet: config.bedrock.sonnetModelId, haiku: config.bedrock.haikuModelId };

  function estimatedInput(request: LlmRequest): number {
    return request.messages.reduce((sum, message) => sum + estimateTokens(message.text), estimateTokens(request.system));
  }

  function recordUsage(family: ModelFamily, outcome: CallOutcome): void {
    const { inputTokens, outputTokens } = outcome.usage;
    const price = config.prices[family];
    metrics.llmTokens.inc({ model: family, direction: 'input' }, inputTokens);
    metrics.llmTokens.inc({ model: family, direction: 'output' }, outputTokens);
    metrics.llmCostUsd.inc({ model: family }, (inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1_000_000);
  }

  /** The end of a call that failed for good: coded, logged at error level with its cause, counted. */
  function failed(failure: ClassifiedFailure, cause: unknown, family: ModelFamily): ServiceError {
    if (failure.kind !== 'cancelled') {
      metrics.errors.inc({ code: failure.error.code });
      logger.error({ err: cause, code: failure.error.code, model: family, detail: failure.error.detail }, 'model call failed');
    }
    return failure.error;
  }

  function deadlineOf(request: LlmRequest): number {
    return performance.now() + Math.min(request.timeoutMs, config.timeouts.turnBudgetMs);
  }

  /**
   * Opens a call: Sonnet first (when asked for), throttles retried with full-jitter backoff,
   * then Haiku with what is left of the budget. Each attempt has its own adaptive first-token
   * timeout, which ends once `start` resolves, and none may run past the deadline.
   */
  async function open<T>(request: LlmRequest, start: (modelId: string, signal: AbortSignal) => Promise<T>,
    families: ModelFamily[] = request.model === 'sonnet' ? ['sonnet', 'haiku'] : [request.model],
    deadline = deadlineOf(request)): Promise<OpenAttempt<T>> {
    const perAttemptMs = modelTimeoutMs(estimatedInput(request), config);
    let last: { failure: ClassifiedFailure; cause: unknown; family: ModelFamily } | undefined;
    for (const family of families) {
      const modelId = modelIds[family];
      for (let attempt = 1; attempt <= config.retries.throttleAttempts; attempt += 1) {
        const remaining = deadline - performance.now();
        if (remaining <= 0 || request.signal?.aborted) break;
        const controller = new AbortController();
        let timedOut = false;
        const timer = setTimeout(() => { timedOut = true; controller.abort(); }, Math.min(perAttemptMs, remaining));
        const onCallerAbort = () => controller.abort();
        request.signal?.addEventListener('abort', onCallerAbort, { once: true });
        const release = () => {
          clearTimeout(timer);
          request.signal?.removeEventListener('abort', onCallerAbort);
        };
        try {
          const value = await start(modelId, controller.signal);
          clearTimeout(timer);
          return { value, family, modelId, release, abort: () => controller.abort() };
        } catch (error) {
          release();
          controller.abort();
          const failure = classifyFailure(error, modelId,
            { timedOut: timedOut || callerDeadlinePassed(request.signal), cancelled: callerCancelled(request.signal) });
          last = { failure, cause: error, family };
          if (failure.kind === 'cancelled') throw failed(failure, error, family);
          const backoffMs = random() * Math.min(config.retries.maxDelayMs, config.retries.baseDelayMs * 2 ** (attempt - 1));
          const canRetry = failure.kind === 'throttled' && attempt < config.retries.throttleAttempts
            && performance.now() + backoffMs < deadline;
          if (canRetry) {
            logger.warn({ model: family, attempt, backoffMs: Math.round(backoffMs), detail: failure.error.detail }, 'model throttled; retrying');
            await sleep(backoffMs, request.signal);
            continue;
          }
          if (!fallbackKinds.has(failure.kind)) throw failed(failure, error, family);
          break;
        }
      }
      if (family === 'sonnet' && families.length > 1 && last && !request.signal?.aborted) {
        metrics.modelFallbacks.inc({ reason: last.failure.kind });
        logger.warn({ reason: last.failure.kind, detail: last.failure.error.detail }, 'falling back to haiku');
      }
    }
    const family = families[0] ?? request.model;
    if (callerCancelled(request.signal)) {
      throw failed(classifyFailure(undefined, modelIds[family], { timedOut: false, cancelled: true }), undefined, family);
    }
    if (last) throw failed(last.failure, last.cause, last.family);
    // The budget ran out before any attempt could start.
    const failure = classifyFailure(undefined, modelIds[family], { timedOut: true, cancelled: false });
    throw failed(failure, undefined, family);
  }

  /** Waiting for the first delta is part of opening: until text is out, a failure may retry or fall back. */
  function openStream(request: LlmRequest, families?: ModelFamily[], deadline?: number): Promise<OpenAttempt<OpenStream>> {
    return open(request, async (modelId, signal) => {
      const events = transport.streamOnce(modelId, request, signal);
      try {
        return { events, first: await events.next() };
      } catch (error) {
        void events.return(undefined as never).catch(() => undefined);
        throw error;
      }
    }, families, deadline);
  }

  /**
   * An open stream's deltas, each awaited under two timers of its own: the gap since the
   * last delta and the call's deadline. Either aborts the attempt and says so in `expiry`.
   */
  async function* relay(attempt: OpenAttempt<OpenStream>, deadline: number, expiry: { by: StreamExpiry }): AsyncGenerator<string, CallOutcome> {
    const expire = (by: Exclude<StreamExpiry, null>) => () => {
      expiry.by ??= by;
      attempt.abort();
    };
    const budget = setTimeout(expire('budget'), Math.max(0, deadline - performance.now()));
    try {
      let step = attempt.value.first;
      while (!step.done) {
        yield step.value;
        // Armed only while waiting on the model: a slow reader of ours is not a stalled stream.
        const gap = setTimeout(expire('gap'), config.timeouts.streamGapMs);
        try {
          step = await attempt.value.events.next();
        } finally {
          clearTimeout(gap);
        }
      }
      return step.value;
    } finally {
      clearTimeout(budget);
    }
  }

  function result(family: ModelFamily, modelId: string, outcome: CallOutcome): LlmResult {
    recordUsage(family, outcome);
    return { usage: outcome.usage, modelId, model: family, stopReason: outcome.stopReason, requestId: outcome.requestId };
  }

  return {
    stream(request: LlmRequest): LlmStream {
      let settle!: { resolve: (value: LlmResult) => void; reject: (error: unknown) => void };
      const settled = new Promise<LlmResult>((resolve, reject) => { settle = { resolve, reject }; });
      // A caller that only iterates sees the error there; this keeps `result` from going unhandled.
      settled.catch(() => undefined);

      async function* deltas(): AsyncGenerator<string, void> {
        const deadline = deadlineOf(request);
        let finished = false;
        let restarted = false;
        let attempt: OpenAttempt<OpenStream> | undefined;
        try {
          attempt = await openStream(request, undefined, deadline);
          for (;;) {
            const expiry: { by: StreamExpiry } = { by: null };
            try {
              const outcome = yield* relay(attempt, deadline, expiry);
              finished = true;
              settle.resolve(result(attempt.family, attempt.modelId, outcome));
              return;
            } catch (error) {
              // Text already reached the caller: one restart on Haiku if the budget allows, else a coded error.
              const failure = classifyFailure(error, attempt.modelId, {
                timedOut: expiry.by !== null || callerDeadlinePassed(request.signal), cancelled: callerCancelled(request.signal),
              });
              const remainingMs = deadline - performance.now();
              const canRestart = request.onRestart !== undefined && !restarted && !notRestartable.has(failure.kind)
                && expiry.by !== 'budget' && !callerDeadlinePassed(request.signal) && remainingMs >= config.timeouts.restartMinBudgetMs;
              if (!canRestart) throw failed(failure, error, attempt.family);
              const reason = restartReason(error, failure.kind, expiry.by);
              metrics.modelStreamRestarts.inc({ reason });
              logger.warn({ reason, model: attempt.family, remainingMs: Math.round(remainingMs), detail: failure.error.detail },
                'model stream failed after text; restarting the answer on haiku');
              const from = attempt.family;
              attempt.release();
              attempt = undefined;
              restarted = true;
              request.onRestart?.({ reason, from, to: 'haiku' });
              attempt = await openStream(request, ['haiku'], deadline);
            }
          }
        } catch (error) {
          finished = true;
          settle.reject(error);
          throw error;
        } finally {
          attempt?.release();
          if (!finished) {
            attempt?.abort();
            void attempt?.value.events.return(undefined as never).catch(() => undefined);
            settle.reject(classifyFailure(undefined, attempt?.modelId ?? modelIds[request.model], { timedOut: false, cancelled: true }).error);
          }
        }
      }

      const iterable = deltas();
      return { [Symbol.asyncIterator]: () => iterable, result: settled };
    },

    async complete(request) {
      const attempt = await open(request, (modelId, signal) => transport.completeOnce(modelId, request, signal));
      attempt.release();
      return { text: attempt.value.text, ...result(attempt.family, attempt.modelId, attempt.value) };
    },
  };
}
