import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { localDynamoClient } from './dynamodb.js';
import { redisInfo } from './redis.js';
import { readFleetStatus } from './service-process.js';
import type { StackEndpoints } from './stack-state.js';

export interface PartHealth {
  ok: boolean;
  detail: string;
}

export type StackHealth = Record<'redis' | 'dynamodb' | 'bedrock', PartHealth> & { service?: PartHealth; toxiproxy?: PartHealth };

async function settle(probe: () => Promise<string>): Promise<PartHealth> {
  try {
    return { ok: true, detail: await probe() };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

async function proxiesSummary(api: string): Promise<string> {
  const response = await fetch(`${api}/proxies`, { signal: AbortSignal.timeout(3_000) });
  if (!response.ok) throw new Error(`/proxies answered ${response.status}`);
  const proxies = Object.values((await response.json()) as Record<string, { name: string; enabled: boolean; toxics: Array<{ type: string }> }>);
  const toxics = proxies.flatMap((proxy) => proxy.toxics.map((toxic) => `${proxy.name}:${toxic.type}`));
  const disabled = proxies.filter((proxy) => !proxy.enabled).map((proxy) => proxy.name);
  return [`${proxies.length} proxies`, disabled.length > 0 ? `disabled: ${disabled.join(', ')}` : '',
    toxics.length > 0 ? `toxics: ${toxics.join(', ')}` : 'no toxics'].filter(Boolean).join(', ');
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
  const toxiproxyApi = endpoints.toxiproxy?.api;
  const toxiproxy = toxiproxyApi ? { toxiproxy: await settle(() => proxiesSummary(toxiproxyApi)) } : {};
  const service = endpoints.service;
  if (!service) return { redis, dynamodb, bedrock, ...toxiproxy };
  return {
    redis, dynamodb, bedrock, ...toxiproxy,
    service: await settle(async () => {
      const response = await fetch(`${service.http}/readyz`, { signal: AbortSignal.timeout(3_000) });
      if (!response.ok) throw new Error(`readyz answered ${response.status}`);
      const fleet = readFleetStatus(service.statusFile);
      return `${fleet?.workers.length ?? 0} workers (${fleet?.restarts ?? 0} restarts), profile ${service.profile}`;
    }),
  };
}
