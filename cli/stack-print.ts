import type { StackHealth } from '../stack/probes.js';
import { readFleetStatus } from '../stack/service-process.js';
import type { StackState, SweeperReport } from '../stack/stack-state.js';

/** The machine-readable status: DESIGN.md's keys first, then what else we know. */
export function statusJson(state: StackState | null, health: StackHealth | null, sweeper: SweeperReport | null = null): object {
  if (!state) return { running: false };
  const service = state.endpoints.service;
  return {
    ...state.endpoints,
    ...(service ? { service: { ...service, workers: readFleetStatus(service.statusFile)?.workers ?? [] } } : {}),
    running: true,
    supervisorPid: state.supervisorPid,
    foreground: state.foreground,
    startedAt: state.startedAt,
    processes: state.processes,
    ...(health ? { health } : {}),
    ...(sweeper ? { ttlSweeper: sweeper } : {}),
  };
}

function row(name: string, address: string, health: StackHealth['redis'] | undefined, extra: string): string {
  const verdict = health ? (health.ok ? 'ok  ' : 'DOWN') : '    ';
  const detail = [health?.detail, extra].filter(Boolean).join('; ');
  return `  ${name.padEnd(9)} ${verdict} ${address.padEnd(34)} ${detail}`;
}

export function printStatus(state: StackState, health: StackHealth | null, json: boolean, sweeper: SweeperReport | null = null): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(statusJson(state, health, sweeper), null, 2)}\n`);
    return;
  }
  const { redis, dynamodb, bedrock } = state.endpoints;
  const sweeps = sweeper ? `TTL sweeper: ${sweeper.sweeps} sweeps, ${sweeper.deleted} expired items deleted` : '';
  const lines = [
    `stack ${health && !Object.values(health).every((part) => part.ok) ? 'DEGRADED' : 'up'} since ${state.startedAt} (supervisor pid ${state.supervisorPid}${state.foreground ? ', foreground' : ''})`,
    row('redis', redis.url, health?.redis, `maxmemory ${redis.maxmemory} ${redis.maxmemoryPolicy}`),
    row('dynamodb', dynamodb.endpoint, health?.dynamodb, [health ? '' : `table ${dynamodb.table}`, sweeps].filter(Boolean).join('; ')),
    row('bedrock', bedrock.endpoint, health?.bedrock, `admin ${bedrock.admin}`),
  ];
  const service = state.endpoints.service;
  if (service) {
    const naive = service.naive.length > 0 ? ` + naive ${service.naive.join(',')}` : '';
    lines.push(row('service', service.http, health?.service, health ? `ws ${service.ws}` : `${service.workers} workers, profile ${service.profile}${naive}; ws ${service.ws}`));
  }
  const toxiproxy = state.endpoints.toxiproxy;
  if (toxiproxy) {
    const routes = Object.entries(toxiproxy.proxies).map(([name, proxy]) => `${name} ${proxy?.listen}→${proxy?.upstream}`).join(', ');
    lines.push(row('toxiproxy', toxiproxy.api, health?.toxiproxy, `${toxiproxy.external ? 'external; ' : ''}${routes}`));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
