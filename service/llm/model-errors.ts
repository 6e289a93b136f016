import { type ServiceError, serviceErrors } from '../errors.js';

/** Why an attempt failed, as far as retrying and falling back care. */
export type FailureKind = 'throttled' | 'timeout' | 'unavailable' | 'inputTooLong' | 'cancelled' | 'failed';

export interface ClassifiedFailure { kind: FailureKind; error: ServiceError }

const unavailableNames = new Set(['ServiceUnavailableException', 'ModelNotReadyException', 'InternalServerException']);

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const requestId = (error as { $metadata?: { requestId?: string } }).$metadata?.requestId;
  return `${error.name}: ${error.message}${requestId ? ` (request ${requestId})` : ''}`;
}

/**
 * Maps what an attempt threw onto the service's catalogue. `timedOut` and `cancelled` say
 * whether our own abort caused it: the SDK reports both as an AbortError.
 */
export function classifyFailure(error: unknown, modelId: string, flags: { timedOut: boolean; cancelled: boolean }): ClassifiedFailure {
  const detail = `${modelId}: ${describe(error)}`;
  if (flags.cancelled) return { kind: 'cancelled', error: serviceErrors.modelFailed(`${modelId}: the caller stopped the call`) };
  if (flags.timedOut) return { kind: 'timeout', error: serviceErrors.modelTimeout(`${modelId}: no answer within the time allowed`) };
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : '';
  if (name === 'ThrottlingException') return { kind: 'throttled', error: serviceErrors.modelThrottled(detail) };
  if (name === 'ModelTimeoutException') return { kind: 'timeout', error: serviceErrors.modelTimeout(detail) };
  if (name === 'ValidationException' && /input is too long/i.test(message)) {
    return { kind: 'inputTooLong', error: serviceErrors.modelInputTooLong(detail) };
  }
  if (unavailableNames.has(name)) return { kind: 'unavailable', error: serviceErrors.modelFailed(detail) };
  return { kind: 'failed', error: serviceErrors.modelFailed(detail) };
}
