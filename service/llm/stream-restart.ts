import type { FailureKind } from './model-errors.js';
import type { RestartReason } from './types.js';

/** Which of a stream's own timers ended it, if one did: the gap between deltas, or the call's deadline. */
export type StreamExpiry = 'gap' | 'budget' | null;

/** An error Bedrock sent (an exception frame) carries the SDK's `$fault`; a cut connection does not. */
function fromTheService(error: unknown): boolean {
  return error instanceof Error && '$fault' in error;
}

/** The reason a restart is counted and told by (model_stream_restarts_total{reason}, the client's restart frame). */
export function restartReason(error: unknown, kind: FailureKind, expiry: StreamExpiry): RestartReason {
  if (expiry === 'gap') return 'stream_gap';
  if (kind === 'throttled') return 'throttled';
  if (kind === 'unavailable') return 'unavailable';
  return fromTheService(error) ? 'model_error' : 'connection_lost';
}
