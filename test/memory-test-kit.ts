import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Redis } from 'ioredis';
import { redisReady, type ServiceDeps, testObservability } from './service-deps.js';
import { createMemory } from '../service/memory/create-memory.js';
import type { Memory, NewExchange } from '../service/memory/types.js';

/** A Memory over the test's real processes, with its log lines and metrics at hand. */
export async function memoryFor(deps: ServiceDeps, options: { env?: Record<string, string>; redis?: Redis; waitForRedis?: boolean } = {}) {
  const { logger, lines, metrics } = testObservability();
  const config = deps.config(options.env);
  const redis = options.redis ?? deps.redisClient();
  if (options.waitForRedis ?? true) await redisReady(redis);
  const memory: Memory = createMemory({ config, dynamo: deps.documents, redis, logger, metrics });
  return { memory, lines, metrics, config, redis };
}

export function exchangeInput(messageId: string, n: number): NewExchange {
  return {
    messageId, userText: `質問${n}: 2番目のやつは？🎉`, assistantText: `回答${n}: 『ワンピース』です`,
    usage: { inputTokens: 100 + n, outputTokens: 20 + n }, model: 'anthropic.claude-3-sonnet', summarised: false,
  };
}

/** Appends `count` exchanges in order, each from the idx the last one left. */
export async function appendExchanges(memory: Memory, sessionId: string, count: number, prefix = 'm'): Promise<void> {
  for (let n = 0; n < count; n += 1) {
    await memory.appendExchange(sessionId, n * 2, exchangeInput(`${prefix}-${n}`, n));
  }
}

/** Every stored item of a session's partition, read straight from DynamoDB. */
export async function partitionItems(deps: ServiceDeps, sessionId: string): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < 100; page += 1) {
    const answer = await deps.documents.send(new QueryCommand({
      TableName: deps.table, KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': `SESSION#${sessionId}` }, ConsistentRead: true, ExclusiveStartKey: startKey,
    }));
    items.push(...(answer.Items ?? []));
    startKey = answer.LastEvaluatedKey;
    if (!startKey) break;
  }
  return items;
}

export async function counterValue(counter: { get(): Promise<{ values: Array<{ value: number; labels: object }> }> },
  labels: Record<string, string> = {}): Promise<number> {
  const { values } = await counter.get();
  return values
    .filter((entry) => Object.entries(labels).every(([key, value]) => (entry.labels as Record<string, unknown>)[key] === value))
    .reduce((sum, entry) => sum + entry.value, 0);
}
