import {
  BedrockRuntimeClient, InvokeModelCommand, InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import type { ServiceConfig } from '../config.js';
import type { LlmRequest, LlmUsage } from './types.js';

/** One model call's end: what Bedrock reported. */
export interface CallOutcome { usage: LlmUsage; stopReason: string; requestId: string | undefined }

/** Single attempts, no retries: the resilient layer decides what happens on failure. */
export interface ModelTransport {
  /** Text deltas as they arrive; the generator's return value is the outcome. */
  streamOnce(modelId: string, request: LlmRequest, signal: AbortSignal): AsyncGenerator<string, CallOutcome>;
  completeOnce(modelId: string, request: LlmRequest, signal: AbortSignal): Promise<{ text: string } & CallOutcome>;
  close(): void;
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * One client per worker, SDK retries off (ours decide). A loopback endpoint is an emulator: it
 * gets fixed credentials, so the SDK never goes looking for real ones (instance metadata is
 * off the machine). Any other endpoint, or none, uses the default AWS credential chain.
 */
export function createBedrockClient(bedrock: ServiceConfig['bedrock']): BedrockRuntimeClient {
  const local = bedrock.endpoint !== undefined && loopbackHosts.has(new URL(bedrock.endpoint).hostname);
  return new BedrockRuntimeClient({
    region: bedrock.region,
    maxAttempts: 1,
    ...(bedrock.endpoint === undefined ? {} : { endpoint: bedrock.endpoint }),
    ...(local ? { credentials: { accessKeyId: 'local-emulator', secretAccessKey: 'local-emulator' } } : {}),
  });
}

function anthropicBody(request: LlmRequest): string {
  return JSON.stringify({
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: request.maxTokens,
    ...(request.system.length > 0 ? { system: request.system } : {}),
    messages: request.messages.map((message) => ({ role: message.role, content: message.text })),
  });
}

/** Rejects with an AbortError as soon as signal aborts, so a stalled stream cannot outlive its timeout. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => { signal.removeEventListener('abort', onAbort); resolve(value); },
      (error: unknown) => { signal.removeEventListener('abort', onAbort); reject(error); },
    );
  });
}

function abortError(): Error {
  const error = new Error('the model call was aborted');
  error.name = 'AbortError';
  return error;
}

/** Bedrock ends every whole answer with message_stop; a stream that just ends was cut on the way. */
function cutStreamError(): Error {
  const error = new Error('the model stream ended before its message_stop: the connection was cut');
  error.name = 'StreamCutError';
  return error;
}

interface StreamEvent {
  type?: string;
  message?: { usage?: { input_tokens?: number } };
  delta?: { type?: string; text?: string; stop_reason?: string };
  usage?: { output_tokens?: number };
  'amazon-bedrock-invocationMetrics'?: { inputTokenCount?: number; outputTokenCount?: number };
}

const decoder = new TextDecoder();

export function createBedrockTransport(client: BedrockRuntimeClient): ModelTransport {
  return {
    async *streamOnce(modelId, request, signal) {
      const response = await untilAborted(client.send(new InvokeModelWithResponseStreamCommand({
        modelId, contentType: 'application/json', accept: 'application/json', body: anthropicBody(request),
      }), { abortSignal: signal }), signal);
      const body = response.body;
      if (!body) throw new Error('the model answered without a stream');
      const usage: LlmUsage = { inputTokens: 0, outputTokens: 0 };
      let stopReason = 'unknown';
      let stopped = false;
      const events = body[Symbol.asyncIterator]();
      try {
        for (;;) {
          const step = await untilAborted(events.next(), signal);
          if (step.done) break;
          const bytes = step.value.chunk?.bytes;
          if (!bytes) continue;
          const event = JSON.parse(decoder.decode(bytes)) as StreamEvent;
          if (event.type === 'message_start') usage.inputTokens = event.message?.usage?.input_tokens ?? usage.inputTokens;
          else if (event.type === 'content_block_delta' && event.delta?.type === 'text_delta' && event.delta.text) yield event.delta.text;
          else if (event.type === 'message_delta') {
            stopReason = event.delta?.stop_reason ?? stopReason;
            usage.outputTokens = event.usage?.output_tokens ?? usage.outputTokens;
          } else if (event.type === 'message_stop') {
            stopped = true;
            const metrics = event['amazon-bedrock-invocationMetrics'];
            usage.inputTokens = metrics?.inputTokenCount ?? usage.inputTokens;
            usage.outputTokens = metrics?.outputTokenCount ?? usage.outputTokens;
          }
        }
      } finally {
        // Ends the HTTP/2 stream when the caller stops early or the call timed out.
        void events.return?.()?.catch(() => undefined);
      }
      if (!stopped) throw cutStreamError();
      return { usage, stopReason, requestId: response.$metadata.requestId };
    },

    async completeOnce(modelId, request, signal) {
      const response = await untilAborted(client.send(new InvokeModelCommand({
        modelId, contentType: 'application/json', accept: 'application/json', body: anthropicBody(request),
      }), { abortSignal: signal }), signal);
      const parsed = JSON.parse(decoder.decode(response.body)) as {
        content?: Array<{ type?: string; text?: string }>; stop_reason?: string;
        usage?: { input_tokens?: number; output_tokens?: number };
      };
      return {
        text: (parsed.content ?? []).filter((block) => block.type === 'text').map((block) => block.text ?? '').join(''),
        usage: { inputTokens: parsed.usage?.input_tokens ?? 0, outputTokens: parsed.usage?.output_tokens ?? 0 },
        stopReason: parsed.stop_reason ?? 'unknown',
        requestId: response.$metadata.requestId,
      };
    },

    close: () => client.destroy(),
  };
}
