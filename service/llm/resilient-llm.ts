import type { Logger } from 'pino';
import type { ModelFamily, ServiceConfig } from '../config.js';
import type { ServiceError } from '../errors.js';
import type { ServiceMetrics } from '../metrics.js';
import { estimateTokens } from '../context/token-estimate.js';
import type { CallOutcome, ModelTransport } from './bedrock-calls.js';
import { classifyFailure, type ClassifiedFailure, type FailureKind } from './model-errors.js';
import { modelTimeoutMs } from './model-timeout.js';
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
  signal: AbortSignal;
  timedOut(): boolean;
  cancelled(): boolean;
  release(): void;
  abort(): void;
}

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

  /**
   * Opens a call: Sonnet first (when asked for), throttles retried with full-jitter backoff,
   * then Haiku with what is left of the budget. Each attempt has its own adaptive timeout,
   * and none may run past the caller's deadline.
   */
  async function open<T>(request: LlmRequest, start: (modelId: string, signal: AbortSignal) => Promise<T>): Promise<OpenAttempt<T>> {
    const deadline = performance.now() + Math.min(request.timeoutMs, config.timeouts.turnBudgetMs);
    const perAttemptMs = modelTimeoutMs(estimatedInput(request), config);
    const families: ModelFamily[] = request.model === 'sonnet' ? ['sonnet', 'haiku'] : [request.model];
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
          return { value, family, modelId, signal: controller.signal, timedOut: () => timedOut,
            cancelled: () => callerCancelled(request.signal), release, abort: () => controller.abort() };
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
    if (callerCancelled(request.signal)) {
      throw failed(classifyFailure(undefined, modelIds[request.model], { timedOut: false, cancelled: true }), undefined, request.model);
    }
    if (last) throw failed(last.failure, last.cause, last.family);
    // The budget ran out before any attempt could start.
    const failure = classifyFailure(undefined, modelIds[request.model], { timedOut: true, cancelled: false });
    throw failed(failure, undefined, request.model);
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
        let finished = false;
        let attempt: OpenAttempt<{ events: AsyncGenerator<string, CallOutcome>; first: IteratorResult<string, CallOutcome> }> | undefined;
        try {
          // Waiting for the first delta is part of opening: until text is out, a failure may retry or fall back.
          attempt = await open(request, async (modelId, signal) => {
            const events = transport.streamOnce(modelId, request, signal);
            try {
              return { events, first: await events.next() };
            } catch (error) {
              void events.return(undefined as never).catch(() => undefined);
              throw error;
            }
          });
          let step = attempt.value.first;
          while (!step.done) {
            yield step.value;
            step = await attempt.value.events.next();
          }
          finished = true;
          settle.resolve(result(attempt.family, attempt.modelId, step.value));
        } catch (error) {
          finished = true;
          // Text already reached the client: no retry, no fallback, a coded error.
          const failure = attempt
            ? failed(classifyFailure(error, attempt.modelId, {
              timedOut: attempt.timedOut() || callerDeadlinePassed(request.signal), cancelled: attempt.cancelled(),
            }), error, attempt.family)
            : error;
          settle.reject(failure);
          throw failure;
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
