import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { localDynamoClient } from './dynamodb.js';
import { redisInfo } from './redis.js';
import { readFleetStatus } from './service-process.js';
import type { StackEndpoints } from './stack-state.js';

export interface PartHealth {
  ok: boolean;
  detail: string;
}

export type StackHealth = Record<'redis' | 'dynamodb' | 'bedrock', PartHealth> & { service?: PartHealth };

async function settle(probe: () => Promise<string>): Promise<PartHealth> {
  try {
    return { ok: true, detail: await probe() };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

/** Asks each part of a running stack whether it answers, with a line about its state. */
export async function probeStack(endpoints: StackEndpoints): Promise<StackHealth> {
  const [redis, dynamodb, bedrock] = await Promise.all([
    settle(async () => {
      const stats = await redisInfo(endpoints.redis.url);
      return `used ${stats.used_memory_human ?? '?'}, ${stats.evicted_keys ?? '?'} evicted keys`;
    }),
    settle(async () => {
      const client = localDynamoClient(endpoints.dynamodb.endpoint);
      try {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: endpoints.dynamodb.table }));
        return `table ${Table?.TableName} ${Table?.TableStatus}, ${Table?.ItemCount ?? 0} items`;
      } finally {
        client.destroy();
      }
    }),
    settle(async () => {
      const response = await fetch(`${endpoints.bedrock.admin}/health`, { signal: AbortSignal.timeout(3_000) });
      if (!response.ok) throw new Error(`health answered ${response.status}`);
      const body = (await response.json()) as { activeStreams?: number };
      return `${body.activeStreams ?? 0} active streams`;
    }),
  ]);
  const service = endpoints.service;
  if (!service) return { redis, dynamodb, bedrock };
  return {
    redis, dynamodb, bedrock,
    service: await settle(async () => {
      const response = await fetch(`${service.http}/readyz`, { signal: AbortSignal.timeout(3_000) });
      if (!response.ok) throw new Error(`readyz answered ${response.status}`);
      const fleet = readFleetStatus(service.statusFile);
      return `${fleet?.workers.length ?? 0} workers (${fleet?.restarts ?? 0} restarts), profile ${service.profile}`;
    }),
  };
}
