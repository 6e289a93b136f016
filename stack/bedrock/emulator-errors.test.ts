import {
  AccessDeniedException, type BedrockRuntimeClient, ConverseStreamCommand, InternalServerException, InvokeModelCommand,
  InvokeModelWithResponseStreamCommand, ModelErrorException, ModelNotReadyException, ModelStreamErrorException,
  ModelTimeoutException, ServiceUnavailableException, ThrottlingException, ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adminCall, anthropicBody, bedrockClient, decodeChunk, recordOf } from './emulator-test-kit.js';
import { modelIds } from './models.js';
import { type RunningEmulator, startBedrockEmulator } from './server.js';

let emulator: RunningEmulator;
let client: BedrockRuntimeClient;

beforeAll(async () => {
  emulator = await startBedrockEmulator({ timeScale: 0.05 });
  client = bedrockClient(emulator.url);
});
afterAll(async () => {
  client?.destroy();
  await emulator?.close();
});
afterEach(async () => { await adminCall(emulator.adminUrl, 'POST', '/reset'); });

async function rejectionOf(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; requestId?: string } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the call succeeded');
}

const invoke = (body: string, modelId = modelIds.haiku) => client.send(new InvokeModelCommand({ modelId, body }));

describe('errors before the answer, as the SDK\'s exception classes', () => {
  it.each([
    ['a body that is not JSON', '{"anthropic_version":', /^Malformed input request: the body is not valid JSON/],
    ['a body without max_tokens', JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', messages: [{ role: 'user', content: 'a' }] }),
      /^Malformed input request: #: required key \[max_tokens\] not found, please reformat your input and try again\.$/],
    ['messages in the wrong order', JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 10,
      messages: [{ role: 'assistant', content: 'a' }] }), /first message must use the "user" role/],
  ])('%s is a 400 ValidationException', async (_case, body, message) => {
    const error = await rejectionOf(invoke(body));
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toMatch(message);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(await recordOf(emulator.adminUrl, error.$metadata?.requestId)).toMatchObject({ status: 400, errorType: 'ValidationException', outcome: 'error' });
  });

  it('an unknown model id is "The provided model identifier is invalid.", streaming or not', async () => {
    const error = await rejectionOf(invoke(anthropicBody('hi'), 'anthropic.claude-v2'));
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe('The provided model identifier is invalid.');
    const streamError = await rejectionOf(client.send(new InvokeModelWithResponseStreamCommand({
      modelId: 'anthropic.claude-3-opus-20240229-v1:0', body: anthropicBody('hi'),
    })));
    expect(streamError).toBeInstanceOf(ValidationException);
  });

  it('a prompt above 200K tokens is "Input is too long for requested model."', async () => {
    const error = await rejectionOf(invoke(anthropicBody('漫画'.repeat(100_100)), modelIds.sonnet));
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe('Input is too long for requested model.');
    const record = await recordOf(emulator.adminUrl, error.$metadata?.requestId);
    expect(record.inputTokens).toBeGreaterThan(200_000);
  });

  it('a prompt just under the limit is answered', async () => {
    const response = await invoke(anthropicBody('漫画'.repeat(99_000), { maxTokens: 5 }), modelIds.haiku);
    expect(decodeChunk(response.body).usage).toMatchObject({ output_tokens: 5 });
  });

  it('past the requests-per-minute quota comes ThrottlingException "Too many requests…"', async () => {
    await adminCall(emulator.adminUrl, 'PUT', '/quotas', { haiku: { requestsPerMinute: 2 } });
    await invoke(anthropicBody('a'));
    await invoke(anthropicBody('b'));
    const error = await rejectionOf(invoke(anthropicBody('c')));
    expect(error).toBeInstanceOf(ThrottlingException);
    expect(error.message).toBe('Too many requests, please wait before trying again.');
    expect(error.$metadata?.httpStatusCode).toBe(429);
    await invoke(anthropicBody('d'), modelIds.sonnet);
  });

  it('past the tokens-per-minute quota comes ThrottlingException "Too many tokens…"', async () => {
    await adminCall(emulator.adminUrl, 'PUT', '/quotas', { sonnet: { tokensPerMinute: 50 } });
    const error = await rejectionOf(invoke(anthropicBody('a'), modelIds.sonnet));
    expect(error).toBeInstanceOf(ThrottlingException);
    expect(error.message).toBe('Too many tokens, please wait before trying again.');
  });

  it.each([
    ['ServiceUnavailableException', ServiceUnavailableException, 503],
    ['InternalServerException', InternalServerException, 500],
    ['ModelTimeoutException', ModelTimeoutException, 408],
    ['AccessDeniedException', AccessDeniedException, 403],
    ['ModelNotReadyException', ModelNotReadyException, 429],
    ['ModelErrorException', ModelErrorException, 424],
  ] as const)('an injected %s reaches the SDK as that class', async (errorType, errorClass, status) => {
    await adminCall(emulator.adminUrl, 'PUT', '/faults', { errorRate: 1, errorType });
    const error = await rejectionOf(invoke(anthropicBody('a')));
    expect(error).toBeInstanceOf(errorClass);
    expect(error.$metadata?.httpStatusCode).toBe(status);
    const streamError = await rejectionOf(client.send(new ConverseStreamCommand({
      modelId: modelIds.haiku, messages: [{ role: 'user', content: [{ text: 'a' }] }],
    })));
    expect(streamError).toBeInstanceOf(errorClass);
  });

  it('an injected throttle is a ThrottlingException', async () => {
    await adminCall(emulator.adminUrl, 'PUT', '/faults', { throttleRate: 1 });
    expect(await rejectionOf(invoke(anthropicBody('a')))).toBeInstanceOf(ThrottlingException);
  });
});

describe('errors in the middle of a stream, thrown by the SDK\'s iterator', () => {
  it('InvokeModelWithResponseStream: text first, then a ThrottlingException', async () => {
    await adminCall(emulator.adminUrl, 'PUT', '/faults', { midStreamError: { afterChunks: 2, type: 'throttlingException' } });
    const response = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: modelIds.sonnet, body: anthropicBody('おすすめは?') }));
    const types: unknown[] = [];
    const error = await rejectionOf((async () => {
      for await (const event of response.body ?? []) types.push(decodeChunk(event.chunk?.bytes).type);
    })());
    expect(error).toBeInstanceOf(ThrottlingException);
    expect(types).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta']);
    const record = await recordOf(emulator.adminUrl, response.$metadata.requestId);
    expect(record).toMatchObject({ status: 200, outcome: 'mid_stream_error', errorType: 'ThrottlingException' });
    expect(record.outputTokens).toBeGreaterThan(0);
  });

  it('ConverseStream: a ModelStreamErrorException, and a type its union lacks becomes one too', async () => {
    for (const type of ['ModelStreamErrorException', 'ModelTimeoutException']) {
      await adminCall(emulator.adminUrl, 'PUT', '/faults', { midStreamError: { afterChunks: 0, type } });
      const response = await client.send(new ConverseStreamCommand({
        modelId: modelIds.haiku, messages: [{ role: 'user', content: [{ text: 'a' }] }],
      }));
      let deltas = 0;
      const error = await rejectionOf((async () => {
        for await (const event of response.stream ?? []) if (event.contentBlockDelta) deltas += 1;
      })());
      expect(error).toBeInstanceOf(ModelStreamErrorException);
      expect(deltas).toBe(0);
    }
  });
});
