import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { performance } from 'node:perf_hooks';
import type { CallRecord } from './records.js';

/** Shared by the emulator's tests: clients as a service would build them, and admin calls. */

export type Transport = 'h2c (SDK default)' | 'HTTP/1.1 (NodeHttpHandler)';
export const transports: readonly Transport[] = ['h2c (SDK default)', 'HTTP/1.1 (NodeHttpHandler)'];

export function bedrockClient(endpoint: string, transport: Transport = 'h2c (SDK default)'): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    // Each test decides about retries itself; the SDK's would hide the emulator's answers.
    maxAttempts: 1,
    ...(transport === 'HTTP/1.1 (NodeHttpHandler)' ? { requestHandler: new NodeHttpHandler() } : {}),
  });
}

export function anthropicBody(text: string, options: { maxTokens?: number; system?: string } = {}): string {
  return JSON.stringify({
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: options.maxTokens ?? 1_000,
    ...(options.system === undefined ? {} : { system: options.system }),
    messages: [{ role: 'user', content: text }],
  });
}

export interface Timed<T> { atMs: number; event: T }

/** Drains an SDK event stream, noting when each event arrived (ms after `start`, a performance.now()). */
export async function collect<T>(stream: AsyncIterable<T> | undefined, start = performance.now()): Promise<Timed<T>[]> {
  if (!stream) throw new Error('the response has no stream');
  const events: Timed<T>[] = [];
  for await (const event of stream) events.push({ atMs: performance.now() - start, event });
  return events;
}

export function decodeChunk(bytes: Uint8Array | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(bytes ?? new Uint8Array()).toString('utf8')) as Record<string, unknown>;
}

// Tests read many differently shaped admin answers; typing each would only restate the assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export async function adminCall(adminUrl: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${adminUrl}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, body: await response.json() };
}

export async function recordOf(adminUrl: string, requestId: string | undefined): Promise<CallRecord> {
  const { body } = await adminCall(adminUrl, 'GET', '/records?limit=10000');
  const record = (body.records as CallRecord[]).find((candidate) => candidate.requestId === requestId);
  if (!record) throw new Error(`no record for request ${requestId}`);
  return record;
}
