import type { ModelFamily } from '../config.js';

export interface LlmMessage {
  role: 'user' | 'assistant';
  text: string;
}

export interface LlmRequest {
  model: ModelFamily;
  system: string;
  messages: LlmMessage[];
  maxTokens: number;
  timeoutMs: number;
  signal?: AbortSignal;
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
