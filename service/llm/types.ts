import type { ModelFamily } from '../config.js';

export interface LlmMessage {
  role: 'user' | 'assistant';
  text: string;
}

/** Why an answer started again: silence past the gap timeout, an exception frame, or a cut connection. */
export type RestartReason = 'stream_gap' | 'throttled' | 'unavailable' | 'model_error' | 'connection_lost';

export interface LlmRestart {
  reason: RestartReason;
  /** The model whose stream failed, and the one answering from now on. */
  from: ModelFamily;
  to: ModelFamily;
}

export interface LlmRequest {
  model: ModelFamily;
  system: string;
  messages: LlmMessage[];
  maxTokens: number;
  /** The whole call's budget, restart included (at most the turn budget). */
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * Streams only: a stream that fails after text was yielded starts again on Haiku (once), and
   * this hears of it before the new answer's first delta; the deltas after it are a new answer
   * from its beginning. Without it such a failure is a coded error, so a caller that cannot
   * take text back never gets two answers joined into one.
   */
  onRestart?(restart: LlmRestart): void;
}

export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface LlmResult {
  usage: LlmUsage;
  modelId: string;
  model: ModelFamily;
  stopReason: string;
  requestId: string | undefined;
}

/** Text deltas as the model emits them; `result` settles when the stream ends or fails. */
export interface LlmStream extends AsyncIterable<string> {
  result: Promise<LlmResult>;
}

export interface Llm {
  /** InvokeModelWithResponseStream through the real SDK. */
  stream(request: LlmRequest): LlmStream;
  /** InvokeModel through the real SDK. */
  complete(request: LlmRequest): Promise<{ text: string } & LlmResult>;
}
