import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningPart, startPart } from './managed-process.js';
import { loopback, startOnPort } from './ports.js';
import { tsxProgramArgs } from './tsx-program.js';

export const serviceProfiles = ['hardened', 'naive'] as const;
export type ServiceProfile = (typeof serviceProfiles)[number];

export interface ServiceProcessOptions {
  dir: string;
  port?: number;
  workers: number;
  profile: ServiceProfile;
  /** Single naive switches over the profile (service/config.ts names them). */
  naive: string[];
  redisUrl: string;
  dynamodbEndpoint: string;
  table: string;
  bedrockEndpoint: string;
  signingSecret: string;
  /** The token catalog changes need; without one the service refuses them all. */
  operatorToken?: string;
  env?: NodeJS.ProcessEnv;
}

export interface RunningServiceProcess extends RunningPart {
  http: string;
  ws: string;
  statusFile: string;
}

export interface FleetStatus {
  primaryPid: number;
  workers: number[];
  restarts: number;
}

const serviceMain = new URL('../service/main.ts', import.meta.url);

/** The live worker pids the fleet's primary last wrote, or null before it wrote any. */
export function readFleetStatus(statusFile: string): FleetStatus | null {
  try {
    return JSON.parse(readFileSync(statusFile, 'utf8')) as FleetStatus;
  } catch {
    return null;
  }
}

/**
 * Starts the orchestrator (its primary and N workers) as processes. The stack never imports
 * the service: it is the system under test, configured only through its environment.
 */
export async function startServiceProcess(options: ServiceProcessOptions): Promise<RunningServiceProcess> {
  return startOnPort('the service', options.port, async (port) => {
    const logPath = join(options.dir, 'service.log');
    const statusFile = join(options.dir, 'fleet.json');
    const http = `http://${loopback}:${port}`;
    // A fleet started again in the same folder must not look ready by its predecessor's worker list.
    rmSync(statusFile, { force: true });
    const part = await startPart({
      name: 'service',
      command: process.execPath,
      args: tsxProgramArgs(serviceMain),
      logPath,
      env: {
        ...options.env,
        GAMEDAY_SERVICE_HOST: loopback,
        GAMEDAY_SERVICE_PORT: String(port),
        GAMEDAY_SERVICE_WORKERS: String(options.workers),
        GAMEDAY_PROFILE: options.profile,
        GAMEDAY_NAIVE: options.naive.join(','),
        GAMEDAY_FLEET_STATUS_FILE: statusFile,
        REDIS_URL: options.redisUrl,
        DYNAMODB_ENDPOINT: options.dynamodbEndpoint,
        DYNAMODB_TABLE: options.table,
        BEDROCK_ENDPOINT: options.bedrockEndpoint,
        SESSION_SIGNING_SECRET: options.signingSecret,
        // In the environment, not the command line: only this user can read a process's environment.
        GAMEDAY_OPERATOR_TOKEN: options.operatorToken ?? '',
      },
      port,
      ready: {
        what: 'the orchestrator service',
        timeoutMs: 60_000,
        probe: async () => {
          const response = await fetch(`${http}/readyz`);
          if (!response.ok) throw new Error(`readyz answered ${response.status}`);
          const workers = readFleetStatus(statusFile)?.workers.length ?? 0;
          if (workers < options.workers) throw new Error(`${workers} of ${options.workers} workers are up`);
        },
      },
      // The fleet drains for up to 30 s; give it that before SIGKILL.
      stopGraceMs: 35_000,
    });
    return { ...part, http, ws: `ws://${loopback}:${port}/v1/ws`, statusFile };
  });
}
