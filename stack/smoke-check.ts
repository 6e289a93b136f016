import {
  BedrockRuntimeClient, ConverseCommand, InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { localDynamoClient } from './dynamodb.js';
import { modelIds } from './bedrock/models.js';
import type { StackEndpoints } from './stack-state.js';
import { viaProxy } from './toxiproxy-process.js';

export interface SmokeResult {
  check: string;
  ok: boolean;
  detail: string;
  ms: number;
}

async function timed(check: string, run: () => Promise<string>): Promise<SmokeResult> {
  const started = performance.now();
  try {
    const detail = await run();
    return { check, ok: true, detail, ms: Math.round(performance.now() - started) };
  } catch (error) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { check, ok: false, detail, ms: Math.round(performance.now() - started) };
  }
}

async function redisRoundTrip(url: string): Promise<string> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2_000 });
  try {
    await redis.connect();
    const key = `gameday:smoke:${process.pid}`;
    await redis.set(key, 'こんにちは🎉', 'EX', 30);
    const value = await redis.get(key);
    await redis.del(key);
    if (value !== 'こんにちは🎉') throw new Error(`read back ${JSON.stringify(value)}`);
    return 'SET/GET of a JP string round-trips';
  } finally {
    redis.disconnect();
  }
}

async function dynamoRoundTrip(endpoint: string, table: string): Promise<string> {
  const client = localDynamoClient(endpoint);
  const documents = DynamoDBDocumentClient.from(client);
  const key = { PK: `SESSION#smoke-${process.pid}-${Date.now()}`, SK: 'META' };
  try {
    const item = { ...key, ttl: Math.floor(Date.now() / 1000) + 60, turn_count: 0 };
    await documents.send(new PutCommand({ TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(PK)' }));
    const duplicate = await documents
      .send(new PutCommand({ TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(PK)' }))
      .then(() => 'accepted', (error: unknown) => (error instanceof ConditionalCheckFailedException ? 'rejected' : String(error)));
    if (duplicate !== 'rejected') throw new Error(`a duplicate conditional put was ${duplicate}`);
    const { Item } = await documents.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
    if (Item?.turn_count !== 0) throw new Error('the item did not read back');
    return 'conditional put, duplicate rejected, get';
  } finally {
    await documents.send(new DeleteCommand({ TableName: table, Key: key })).catch(() => undefined);
    client.destroy();
  }
}

function bedrockClient(endpoint: string): BedrockRuntimeClient {
  // The SDK's default handler: HTTP/2 cleartext, as a real service would speak to Bedrock.
  return new BedrockRuntimeClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'gameday', secretAccessKey: 'gameday' },
    maxAttempts: 1,
  });
}

async function bedrockStream(endpoint: string): Promise<string> {
  const client = bedrockClient(endpoint);
  try {
    const started = performance.now();
    const response = await client.send(new InvokeModelWithResponseStreamCommand({
      modelId: modelIds.sonnet,
      contentType: 'application/json',
      body: JSON.stringify({
        anthropic_version: 'bedrock-2023-05-31',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'ホラー漫画のおすすめを教えて' }],
      }),
    }));
    let firstTokenMs = 0;
    let chunks = 0;
    let text = '';
    for await (const event of response.body ?? []) {
      if (!event.chunk?.bytes) continue;
      const payload = JSON.parse(Buffer.from(event.chunk.bytes).toString('utf8')) as { type: string; delta?: { text?: string } };
      if (payload.type === 'content_block_delta' && payload.delta?.text) {
        if (chunks === 0) firstTokenMs = performance.now() - started;
        chunks += 1;
        text += payload.delta.text;
      }
    }
    if (chunks === 0) throw new Error('no text arrived');
    const opening = text.replace(/\s+/g, ' ').slice(0, 24);
    return `Sonnet streamed ${chunks} chunks, first token after ${Math.round(firstTokenMs)} ms: ${opening}…`;
  } finally {
    client.destroy();
  }
}

async function bedrockConverse(endpoint: string): Promise<string> {
  const client = bedrockClient(endpoint);
  try {
    const response = await client.send(new ConverseCommand({
      modelId: modelIds.haiku,
      messages: [{ role: 'user', content: [{ text: 'こんにちは' }] }],
      inferenceConfig: { maxTokens: 32 },
    }));
    const usage = response.usage;
    if (!usage?.outputTokens) throw new Error('no usage in the answer');
    return `Haiku Converse: ${usage.inputTokens} input / ${usage.outputTokens} output tokens`;
  } finally {
    client.destroy();
  }
}

/** A session over REST, then one streamed turn over the WebSocket protocol. */
async function serviceChat(http: string, wsUrl: string): Promise<string> {
  const created = await fetch(`${http}/v1/sessions`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId: 'gameday-smoke' }),
  });
  if (created.status !== 201) throw new Error(`POST /v1/sessions answered ${created.status}`);
  const { sessionId, token } = (await created.json()) as { sessionId: string; token: string };
  const socket = new WebSocket(`${wsUrl}?sessionId=${sessionId}&token=${encodeURIComponent(token)}`);
  const started = performance.now();
  let firstChunkMs = 0;
  let chunks = 0;
  try {
    const done = await new Promise<{ turnCount: number; model: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer within 30 s')), 30_000);
      socket.on('error', (error) => { clearTimeout(timer); reject(error); });
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; code?: string; turnCount: number; model: string };
        if (frame.type === 'ready') socket.send(JSON.stringify({ type: 'message', messageId: 'smoke-1', text: '少年漫画のおすすめを教えて' }));
        else if (frame.type === 'chunk' && chunks++ === 0) firstChunkMs = performance.now() - started;
        else if (frame.type === 'done') { clearTimeout(timer); resolve(frame); }
        else if (frame.type === 'error') { clearTimeout(timer); reject(new Error(frame.code)); }
      });
    });
    if (done.turnCount !== 1) throw new Error(`turnCount ${done.turnCount}, expected 1`);
    return `a WebSocket turn: ${chunks} chunks, first after ${Math.round(firstChunkMs)} ms, durable done from ${done.model.split('.')[1] ?? done.model}`;
  } finally {
    socket.close();
  }
}

/** One real round trip through each part with the clients the service uses. */
export async function smokeCheck(endpoints: StackEndpoints): Promise<SmokeResult[]> {
  const service = endpoints.service;
  const carrier = endpoints.toxiproxy?.proxies.carrier;
  return Promise.all([
    timed('redis', () => redisRoundTrip(endpoints.redis.url)),
    timed('dynamodb', () => dynamoRoundTrip(endpoints.dynamodb.endpoint, endpoints.dynamodb.table)),
    timed('bedrock stream', () => bedrockStream(endpoints.bedrock.endpoint)),
    timed('bedrock converse', () => bedrockConverse(endpoints.bedrock.endpoint)),
    ...(service ? [timed('service chat', () => serviceChat(service.http, service.ws))] : []),
    ...(service && carrier ? [timed('service chat via carrier', () => serviceChat(viaProxy(service.http, carrier.listen), viaProxy(service.ws, carrier.listen)))] : []),
  ]);
}
