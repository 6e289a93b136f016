import { join } from 'node:path';
import { loopback, startOnPort } from './ports.js';
import { tsxProgramArgs } from './tsx-program.js';
import { type RunningPart, startPart } from './managed-process.js';

export interface BedrockProcessOptions {
  dir: string;
  port?: number;
  seed: number;
  timeScale: number;
  env?: NodeJS.ProcessEnv;
}

export interface RunningBedrockProcess extends RunningPart {
  endpoint: string;
  admin: string;
}

const emulatorMain = new URL('./bedrock/main.ts', import.meta.url);

/** Runs the Bedrock emulator as its own process, so its timers never share a loop with ours. */
export async function startBedrockProcess(options: BedrockProcessOptions): Promise<RunningBedrockProcess> {
  return startOnPort('the Bedrock emulator', options.port, async (port) => {
    const logPath = join(options.dir, 'bedrock.log');
    const endpoint = `http://${loopback}:${port}`;
    const part = await startPart({
      name: 'bedrock',
      command: process.execPath,
      args: tsxProgramArgs(emulatorMain, '--port', String(port), '--host', loopback,
        '--seed', String(options.seed), '--time-scale', String(options.timeScale)),
      logPath,
      env: options.env,
      port,
      ready: {
        what: 'the Bedrock emulator',
        probe: async () => {
          const response = await fetch(`${endpoint}/_admin/health`);
          if (!response.ok) throw new Error(`health answered ${response.status}`);
        },
      },
    });
    return { ...part, endpoint, admin: `${endpoint}/_admin` };
  });
}
