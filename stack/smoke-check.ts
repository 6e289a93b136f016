import {
  BedrockRuntimeClient, ConverseCommand, InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Redis } from 'ioredis';
import { localDynamoClient } from './dynamodb.js';
import { modelIds } from './bedrock/models.js';
import type { StackEndpoints } from './stack-state.js';

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

/** One real round trip through each part with the clients the service uses. */
export async function smokeCheck(endpoints: StackEndpoints): Promise<SmokeResult[]> {
  return Promise.all([
    timed('redis', () => redisRoundTrip(endpoints.redis.url)),
    timed('dynamodb', () => dynamoRoundTrip(endpoints.dynamodb.endpoint, endpoints.dynamodb.table)),
    timed('bedrock stream', () => bedrockStream(endpoints.bedrock.endpoint)),
    timed('bedrock converse', () => bedrockConverse(endpoints.bedrock.endpoint)),
  ]);
}
