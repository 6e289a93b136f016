import { AdminInputError, numberField, objectBody, rejectUnknownFields } from './admin-input.js';
import { AwsError, type AwsErrorType, awsErrors, injectableErrorTypes, midStreamErrorTypes, parseAwsErrorType } from './aws-errors.js';
import { findModel, type ModelInfo } from './models.js';
import { modelFamilies } from './quotas.js';

export interface MidStreamError {
  /** Text chunks written before the exception frame (0: instead of the first one). */
  afterChunks: number;
  type: AwsErrorType;
}

export interface MidStreamPause {
  /** Text chunks written before the pause (0: before the first one). */
  afterChunks: number;
  /** Silence on the stream; the rest of the answer then follows at its planned pace. */
  ms: number;
}

/**
 * What chaos has switched on. Times here are real milliseconds, not modelled ones: the
 * emulator's time scale does not shrink them.
 */
export interface FaultSettings {
  extraTtftMs: number;
  latencyFactor: number;
  errorRate: number;
  errorType: AwsErrorType;
  throttleRate: number;
  midStreamError: MidStreamError | null;
  /** A stream that stops sending mid-answer and then goes on: a stall, not a slow model. */
  midStreamPause: MidStreamPause | null;
  /** Families or model ids the faults apply to; null: every model. */
  models: string[] | null;
}

export const noFaults: Readonly<FaultSettings> = Object.freeze({
  extraTtftMs: 0,
  latencyFactor: 1,
  errorRate: 0,
  errorType: 'InternalServerException',
  throttleRate: 0,
  midStreamError: null,
  midStreamPause: null,
  models: null,
});

const fields = Object.keys(noFaults);

function errorTypeField(value: unknown, field: string, allowed: readonly AwsErrorType[]): AwsErrorType {
  const type = typeof value === 'string' ? parseAwsErrorType(value) : undefined;
  if (!type || !allowed.includes(type)) {
    throw new AdminInputError(`"${field}" must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
  }
  return type;
}

function midStreamField(value: unknown): MidStreamError | null {
  if (value === null) return null;
  const record = objectBody(value, '"midStreamError"');
  rejectUnknownFields(record, ['afterChunks', 'type'], 'midStreamError.');
  return {
    afterChunks: numberField(record.afterChunks ?? 0, 'midStreamError.afterChunks', { min: 0, integer: true }),
    type: errorTypeField(record.type ?? 'ModelStreamErrorException', 'midStreamError.type', midStreamErrorTypes),
  };
}

function midStreamPauseField(value: unknown): MidStreamPause | null {
  if (value === null) return null;
  const record = objectBody(value, '"midStreamPause"');
  rejectUnknownFields(record, ['afterChunks', 'ms'], 'midStreamPause.');
  return {
    afterChunks: numberField(record.afterChunks ?? 0, 'midStreamPause.afterChunks', { min: 0, integer: true }),
    ms: numberField(record.ms, 'midStreamPause.ms', { min: 0, max: 600_000 }),
  };
}

function modelsField(value: unknown): string[] | null {
  if (value === null) return null;
  if (!Array.isArray(value) || value.length === 0) {
    throw new AdminInputError('"models" must be a non-empty list of model families (sonnet, haiku) or model ids, or null for all');
  }
  return value.map((entry, index) => {
    const known = typeof entry === 'string'
      && ((modelFamilies as readonly string[]).includes(entry) || findModel(entry) !== undefined);
    if (!known) throw new AdminInputError(`"models[${index}]" is neither a model family (sonnet, haiku) nor a known model id (got ${JSON.stringify(entry)})`);
    return entry as string;
  });
}

/** Applies a PUT body to the current faults; fields left out keep their value. */
export function mergeFaults(current: FaultSettings, patch: unknown): FaultSettings {
  const record = objectBody(patch, 'the faults body');
  rejectUnknownFields(record, fields, '');
  const next = { ...current };
  if ('extraTtftMs' in record) next.extraTtftMs = numberField(record.extraTtftMs, 'extraTtftMs', { min: 0, max: 600_000 });
  if ('latencyFactor' in record) next.latencyFactor = numberField(record.latencyFactor, 'latencyFactor', { min: 0, minExclusive: true, max: 1_000 });
  if ('errorRate' in record) next.errorRate = numberField(record.errorRate, 'errorRate', { min: 0, max: 1 });
  if ('errorType' in record) next.errorType = errorTypeField(record.errorType, 'errorType', injectableErrorTypes);
  if ('throttleRate' in record) next.throttleRate = numberField(record.throttleRate, 'throttleRate', { min: 0, max: 1 });
  if ('midStreamError' in record) next.midStreamError = midStreamField(record.midStreamError);
  if ('midStreamPause' in record) next.midStreamPause = midStreamPauseField(record.midStreamPause);
  if ('models' in record) next.models = modelsField(record.models);
  return next;
}

export interface FaultDecision {
  error?: AwsError;
  extraTtftMs: number;
  latencyFactor: number;
  midStreamError?: MidStreamError;
  midStreamPause?: MidStreamPause;
}

function applies(settings: FaultSettings, model: ModelInfo): boolean {
  if (!settings.models) return true;
  return settings.models.some((entry) => entry === model.family || findModel(entry)?.id === model.id);
}

/**
 * The faults one request meets. It always takes two draws from random, so switching faults
 * on or off does not shift any other request's randomness.
 */
export function decideFaults(settings: FaultSettings, model: ModelInfo, random: () => number): FaultDecision {
  const throttleDraw = random();
  const errorDraw = random();
  if (!applies(settings, model)) return { extraTtftMs: 0, latencyFactor: 1 };
  const decision: FaultDecision = { extraTtftMs: settings.extraTtftMs, latencyFactor: settings.latencyFactor };
  if (throttleDraw < settings.throttleRate) decision.error = awsErrors.tooManyRequests();
  else if (errorDraw < settings.errorRate) decision.error = new AwsError(settings.errorType);
  if (settings.midStreamError) decision.midStreamError = settings.midStreamError;
  if (settings.midStreamPause) decision.midStreamPause = settings.midStreamPause;
  return decision;
}
