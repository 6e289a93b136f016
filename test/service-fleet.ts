import { setTimeout as sleep } from 'node:timers/promises';
import type { ExitInfo } from '../stack/managed-process.js';
import { readFleetStatus, startServiceProcess } from '../stack/service-process.js';
import { inheritedEnv } from './config.js';
import { testSigningSecret, type ServiceDeps } from './service-deps.js';

/** The real service (primary + workers) as a child process, for fleet and crash tests. */
export interface RunningFleet {
  baseUrl: string;
  wsUrl: string;
  primaryPid: number;
  exited: Promise<ExitInfo>;
  workers(): number[];
  /** Waits until the fleet lists `count` live workers other than `excluding` and answers /readyz. */
  waitForWorkers(count: number, excluding?: number[]): Promise<number[]>;
  logPath: string;
  stop(): Promise<void>;
}

export interface FleetOptions {
  workers?: number;
  naive?: string[];
  /** Extra service settings, e.g. a time-compressed GAMEDAY_PING_INTERVAL_MS. */
  env?: Record<string, string>;
}

/** Starts the fleet the way `gameday stack up` does (stack/service-process.ts), over test dependencies. */
export async function startFleet(deps: ServiceDeps, bedrockEndpoint: string, options: FleetOptions = {}): Promise<RunningFleet> {
  const service = await startServiceProcess({
    dir: deps.tempDir('gameday-fleet-'),
    workers: options.workers ?? 2,
    profile: 'hardened',
    naive: options.naive ?? [],
    redisUrl: deps.redis.url,
    dynamodbEndpoint: deps.dynamodb.endpoint,
    table: deps.table,
    bedrockEndpoint,
    signingSecret: testSigningSecret,
    env: { ...inheritedEnv, ...options.env },
  });
  const workers = () => readFleetStatus(service.statusFile)?.workers ?? [];
  return {
    baseUrl: service.http,
    wsUrl: service.ws,
    primaryPid: service.pid,
    exited: service.process.exited,
    workers,
    logPath: service.logPath,
    async waitForWorkers(count: number, excluding: number[] = []) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const live = workers().filter((pid) => !excluding.includes(pid));
        const ready = await fetch(`${service.http}/readyz`).then((response) => response.ok, () => false);
        if (live.length >= count && ready) return live;
        if (Date.now() > deadline) throw new Error(`the fleet did not get ${count} ready workers; see ${service.logPath}`);
        await sleep(100);
      }
    },
    stop: () => service.stop(),
  };
}
