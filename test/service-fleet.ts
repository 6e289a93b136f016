import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../stack/ports.js';
import { inheritedEnv } from './config.js';
import { testSigningSecret, type ServiceDeps } from './service-deps.js';

const serviceMain = fileURLToPath(new URL('../service/main.ts', import.meta.url));
const tsxLoader = import.meta.resolve('tsx');

/** The real service (primary + workers) as a child process, for fleet and crash tests. */
export interface RunningFleet {
  baseUrl: string;
  wsUrl: string;
  primary: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  workers(): number[];
  /** Waits until the fleet lists `count` live workers other than `excluding` and answers /readyz. */
  waitForWorkers(count: number, excluding?: number[]): Promise<number[]>;
  logPath: string;
  stop(): Promise<void>;
}

export async function startFleet(deps: ServiceDeps, bedrockEndpoint: string, env: Record<string, string> = {}): Promise<RunningFleet> {
  const port = await freePort();
  const dir = deps.tempDir('gameday-fleet-');
  const statusFile = join(dir, 'fleet.json');
  const logPath = join(dir, 'service.log');
  const log = openSync(logPath, 'a');
  const primary = spawn(process.execPath, ['--import', tsxLoader, serviceMain], {
    env: {
      ...inheritedEnv,
      SESSION_SIGNING_SECRET: testSigningSecret,
      REDIS_URL: deps.redis.url,
      DYNAMODB_ENDPOINT: deps.dynamodb.endpoint,
      DYNAMODB_TABLE: deps.table,
      BEDROCK_ENDPOINT: bedrockEndpoint,
      GAMEDAY_SERVICE_PORT: String(port),
      GAMEDAY_FLEET_STATUS_FILE: statusFile,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    primary.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const workers = (): number[] => {
    try {
      return (JSON.parse(readFileSync(statusFile, 'utf8')) as { workers: number[] }).workers;
    } catch {
      return [];
    }
  };
  const waitForWorkers = async (count: number, excluding: number[] = []) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const live = workers().filter((pid) => !excluding.includes(pid));
      const ready = await fetch(`${baseUrl}/readyz`).then((response) => response.ok, () => false);
      if (live.length >= count && ready) return live;
      if (Date.now() > deadline) throw new Error(`the fleet did not get ${count} ready workers; see ${logPath}`);
      await sleep(100);
    }
  };
  const fleet: RunningFleet = {
    baseUrl,
    wsUrl: `ws://127.0.0.1:${port}/v1/ws`,
    primary,
    exited,
    workers,
    waitForWorkers,
    logPath,
    async stop() {
      if (primary.exitCode !== null || primary.signalCode !== null) return;
      const pids = workers();
      primary.kill('SIGTERM');
      const timer = setTimeout(() => {
        primary.kill('SIGKILL');
        for (const pid of pids) {
          try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
        }
      }, 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await waitForWorkers(Number(env.GAMEDAY_SERVICE_WORKERS ?? 2));
  } catch (error) {
    await fleet.stop();
    throw error;
  }
  return fleet;
}
