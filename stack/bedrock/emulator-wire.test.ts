import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { connect, type IncomingHttpHeaders } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicBody } from './emulator-test-kit.js';
import { modelIds } from './models.js';
import { type RunningEmulator, startBedrockEmulator } from './server.js';
import { countTokens } from './tokens.js';

let emulator: RunningEmulator;
beforeAll(async () => { emulator = await startBedrockEmulator({ timeScale: 0.05 }); });
afterAll(async () => { await emulator?.close(); });

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const invokePath = (modelId: string, operation: string) => `/model/${encodeURIComponent(modelId)}/${operation}`;

/** One request over a fresh h2c connection with prior knowledge, as the SDK's default handler makes. */
async function h2Request(path: string, body: string): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  const session = connect(emulator.url);
  try {
    return await new Promise((resolve, reject) => {
      const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/json' });
      const parts: Buffer[] = [];
      let headers: IncomingHttpHeaders = {};
      stream.on('response', (received) => { headers = received; });
      stream.on('data', (part: Buffer) => parts.push(part));
      stream.on('end', () => resolve({ headers, body: Buffer.concat(parts) }));
      stream.on('error', reject);
      stream.end(body);
    });
  } finally {
    session.close();
  }
}

describe('the wire, without the SDK', () => {
  it('answers HTTP/1.1 (fetch) with Bedrock\'s headers: request id and token counts', async () => {
    const response = await fetch(`${emulator.url}${invokePath(modelIds.haiku, 'invoke')}`, {
      method: 'POST', body: anthropicBody('こんにちは'), headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(200);
    const body = await response.json() as { content: { text: string }[]; usage: { input_tokens: number } };
    expect(response.headers.get('x-amzn-requestid')).toMatch(uuid);
    expect(response.headers.get('x-amzn-bedrock-input-token-count')).toBe(String(body.usage.input_tokens));
    expect(response.headers.get('x-amzn-bedrock-output-token-count')).toBe(String(countTokens(body.content[0]?.text ?? '')));
    expect(Number(response.headers.get('x-amzn-bedrock-invocation-latency'))).toBeGreaterThan(0);
  });

  it('answers h2c on the same port, with an event stream of chunk frames', async () => {
    const { headers, body } = await h2Request(invokePath(modelIds.sonnet, 'invoke-with-response-stream'), anthropicBody('hi'));
    expect(headers[':status']).toBe(200);
    expect(headers['content-type']).toBe('application/vnd.amazon.eventstream');
    expect(headers['x-amzn-requestid']).toMatch(uuid);
    const codec = new EventStreamCodec(toUtf8, fromUtf8);
    const frames = [];
    for (let offset = 0; offset < body.length;) {
      const length = body.readUInt32BE(offset);
      frames.push(codec.decode(body.subarray(offset, offset + length)));
      offset += length;
    }
    expect(frames.every((frame) => frame.headers[':event-type']?.value === 'chunk'
      && frame.headers[':message-type']?.value === 'event')).toBe(true);
    const first = JSON.parse(toUtf8(frames[0]!.body)) as { bytes: string };
    expect(JSON.parse(Buffer.from(first.bytes, 'base64').toString('utf8'))).toMatchObject({ type: 'message_start' });
  });

  it('errors carry x-amzn-errortype and a {"message"} body on both protocols', async () => {
    const path = invokePath('anthropic.claude-9', 'invoke');
    const h1 = await fetch(`${emulator.url}${path}`, { method: 'POST', body: anthropicBody('a') });
    expect(h1.status).toBe(400);
    expect(h1.headers.get('x-amzn-errortype')).toBe('ValidationException');
    expect(await h1.json()).toEqual({ message: 'The provided model identifier is invalid.' });
    const h2 = await h2Request(path, anthropicBody('a'));
    expect(h2.headers[':status']).toBe(400);
    expect(h2.headers['x-amzn-errortype']).toBe('ValidationException');
  });

  it('answers an unknown path or method with 404 and says so', async () => {
    for (const [method, path] of [['POST', '/model/x/generate'], ['GET', invokePath(modelIds.haiku, 'invoke')], ['POST', '/nothing']]) {
      const response = await fetch(`${emulator.url}${path}`, { method, ...(method === 'POST' ? { body: '{}' } : {}) });
      expect(response.status).toBe(404);
      expect(response.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    }
  });
});
