import { join } from 'node:path';
import { type RunningPart, startPart } from '../stack/managed-process.js';
import { loopback, startOnPort } from '../stack/ports.js';
import { tsxProgramArgs } from '../stack/tsx-program.js';
import { wsPath } from '../service/ws/ws-server.js';
import type { FloorStats } from './floor-turns.js';

export interface FloorProcessOptions {
  dir: string;
  redisUrl: string;
  dynamodbEndpoint: string;
  table: string;
  bedrockEndpoint: string;
  env?: NodeJS.ProcessEnv;
}

export interface RunningFloor extends RunningPart {
  baseUrl: string;
  wsUrl: string;
  stats(): Promise<FloorStats>;
}

const floorMain = new URL('./floor-server.ts', import.meta.url);

/** The floor server (bench/floor-server.ts) in a process of its own, so its CPU is read like the service's. */
export async function startFloorProcess(options: FloorProcessOptions): Promise<RunningFloor> {
  return startOnPort('the floor server', undefined, async (port) => {
    const baseUrl = `http://${loopback}:${port}`;
    const part = await startPart({
      name: 'floor',
      command: process.execPath,
      args: tsxProgramArgs(floorMain, '--port', String(port), '--redis', options.redisUrl, '--dynamodb', options.dynamodbEndpoint,
        '--table', options.table, '--bedrock', options.bedrockEndpoint),
      logPath: join(options.dir, 'floor.log'),
      env: options.env,
      port,
      ready: {
        what: 'the floor server',
        probe: async () => {
          const response = await fetch(`${baseUrl}/healthz`);
          if (!response.ok) throw new Error(`healthz answered ${response.status}`);
        },
      },
    });
    return {
      ...part,
      baseUrl,
      wsUrl: `ws://${loopback}:${port}${wsPath}`,
      stats: async () => {
        const response = await fetch(`${baseUrl}/stats`);
        if (!response.ok) throw new Error(`the floor's stats answered ${response.status}`);
        return (await response.json()) as FloorStats;
      },
    };
  });
}
