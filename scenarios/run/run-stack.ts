import { randomBytes } from 'node:crypto';
import type { IncidentStack } from '../incident.js';
import type { LoadTarget } from '../../engine/session-plan.js';
import { withRedis } from '../../stack/redis.js';
import type { ServiceProfile } from '../../stack/service-process.js';
import { sessionTable } from '../../stack/session-table.js';
import { type RunningStack, type StackServiceOptions, startStack } from '../../stack/stack.js';
import type { StackEndpoints, StackProcessRecord } from '../../stack/stack-state.js';

/** The service an incident runs against: a profile, and single naive switches over it. */
export interface ServiceChoice {
  profile: ServiceProfile;
  naive: string[];
}

/** A stack an incident can run against: its endpoints, the secret the audit checks turns with. */
export interface StackForIncidents {
  readonly endpoints: StackEndpoints;
  /** The service's turn-signing secret; null when unknown (the audit then cannot check signatures). */
  readonly signingSecret: string | null;
  /** Brings the stack to what the incident needs under this service choice; answers what it changed, for people. */
  prepare(needs: IncidentStack, service: ServiceChoice): Promise<string[]>;
}

/** The embedded stack `gameday run` starts: shared by incidents run one after another, and stopped by its owner. */
export interface RunStack extends StackForIncidents {
  /** The parts it started (kept current across restarts), for their CPU (`gameday capacity`). */
  readonly processes: readonly StackProcessRecord[];
  stop(): Promise<void>;
}

export interface RunStackSettings {
  /** Configs and logs of every part. */
  dir: string;
  /** The emulator's and the proxy's seed. */
  seed: number;
  /** The environment of every child process (the caller's config module decides it). */
  childEnv: NodeJS.ProcessEnv;
  redisCommand?: string;
  javaCommand?: string;
  /** The model's time scale to start with (the first incident's), so it needs no restart. */
  timeScale?: number;
}

/** Where load goes on a stack: its service, and the carrier proxy in front of it for mobile sessions. */
export function stackLoadTarget(stack: StackForIncidents): LoadTarget {
  const service = stack.endpoints.service;
  if (!service) throw new Error('the stack runs no service to send load to');
  const carrier = stack.endpoints.toxiproxy?.proxies.carrier;
  return { http: service.http, ws: service.ws, ...(carrier ? { carrierWs: `ws://${carrier.listen}/v1/ws` } : {}) };
}

const defaults = { redisMaxmemory: '256mb', redisPolicy: 'volatile-lru', workers: 2, timeScale: 1 } as const;

interface Fleet {
  profile: ServiceProfile;
  naive: string[];
  workers: number;
  env: Record<string, string>;
}

const envText = (env: Record<string, string>) => Object.entries(env).map(([key, value]) => `${key}=${value}`).join(' ');

function describeFleet(fleet: Fleet): string {
  const naive = fleet.naive.length > 0 ? ` + naive ${fleet.naive.join(',')}` : '';
  const env = Object.keys(fleet.env).length > 0 ? `, ${envText(fleet.env)}` : '';
  return `${fleet.profile}${naive}, ${fleet.workers} workers${env}`;
}

const sameFleet = (a: Fleet | null, b: Fleet) => a !== null && describeFleet(a) === describeFleet(b);

/**
 * Starts redis-server, DynamoDB Local, the Bedrock emulator and the proxy once; each incident's
 * prepare() then resets what a run leaves behind (Redis contents, the emulator's faults and
 * records) and restarts only what must change: the fleet for another profile or settings, the
 * emulator for another model time scale (it takes one only at start).
 */
export async function startRunStack(settings: RunStackSettings): Promise<RunStack> {
  const signingSecret = randomBytes(24).toString('base64url');
  let timeScale = settings.timeScale ?? defaults.timeScale;
  let fleet: Fleet | null = null;

  const running: RunningStack = await startStack({
    dir: settings.dir,
    redis: { maxmemory: defaults.redisMaxmemory, maxmemoryPolicy: defaults.redisPolicy, command: settings.redisCommand ?? 'redis-server' },
    dynamodb: { javaCommand: settings.javaCommand ?? 'java', table: sessionTable.name, sweepIntervalMs: 30_000, sweepLagMs: 5_000 },
    bedrock: { seed: settings.seed, timeScale },
    service: null,
    toxiproxy: { seed: settings.seed },
    childEnv: settings.childEnv,
  });

  return {
    // Kept current by the stack: a restarted fleet or emulator updates it in place.
    endpoints: running.endpoints,
    processes: running.processes,
    signingSecret,
    async prepare(needs, service) {
      const changes: string[] = [];
      const wantedScale = needs.timeScale ?? defaults.timeScale;
      if (wantedScale !== timeScale) {
        changes.push(`restarted the Bedrock emulator: the model's time scale changes from ${timeScale} to ${wantedScale}`);
        await running.restartBedrock({ seed: settings.seed, timeScale: wantedScale });
        timeScale = wantedScale;
      }
      const redis = running.endpoints.redis;
      const maxmemory = needs.redisMaxmemory ?? defaults.redisMaxmemory;
      const policy = needs.redisPolicy ?? defaults.redisPolicy;
      await withRedis(redis.url, async (client) => {
        await client.config('SET', 'maxmemory', maxmemory, 'maxmemory-policy', policy);
        // Each incident starts on an empty cache, as after a deploy: nothing from the previous run leaks in.
        await client.flushall();
      });
      if (redis.maxmemory !== maxmemory || redis.maxmemoryPolicy !== policy) {
        changes.push(`redis: maxmemory ${maxmemory}, ${policy}`);
        Object.assign(redis, { maxmemory, maxmemoryPolicy: policy });
      }
      const reset = await fetch(`${running.endpoints.bedrock.admin}/reset`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
      if (!reset.ok) throw new Error(`the Bedrock emulator's reset answered ${reset.status}`);

      const wanted: Fleet = { ...service, workers: needs.workers ?? defaults.workers, env: { ...needs.serviceEnv } };
      if (!sameFleet(fleet, wanted)) {
        changes.push(`${fleet ? 'restarted' : 'started'} the fleet: ${describeFleet(wanted)}`);
        fleet = null;
        const options: StackServiceOptions = { ...wanted, signingSecret };
        await running.restartService(options);
        fleet = wanted;
      }
      return changes;
    },
    stop: () => running.stop(),
  };
}
