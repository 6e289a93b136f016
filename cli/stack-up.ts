import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import type { CliConfig } from './config.js';
import { cliErrors } from './errors.js';
import { printStatus } from './stack-print.js';
import { stopStack } from './stack-down.js';
import type { StackStartOptions } from './stack-options.js';
import { checkDockerEngine } from '../stack/docker/engine-check.js';
import { StackError } from '../stack/errors.js';
import { logTail } from '../stack/managed-process.js';
import { type StackState, isAlive, readStackState, stackLogDir, stackStatePath } from '../stack/stack-state.js';
import type { SupervisorMessage, SupervisorRequest } from '../stack/supervisor-main.js';
import { superviseStack } from '../stack/supervisor.js';
import { tsxProgramArgs } from '../stack/tsx-program.js';

const supervisorMain = new URL('../stack/supervisor-main.ts', import.meta.url);
const startTimeoutMs = 120_000;
// A first --docker start pulls images and builds two (npm ci in each).
const dockerStartTimeoutMs = 900_000;

export interface UpOptions {
  config: CliConfig;
  stack: StackStartOptions;
  json: boolean;
  foreground: boolean;
}

/** Refuses a second stack; quietly clears the state of one whose supervisor died. */
async function claimStateDir(config: CliConfig, say: (line: string) => void): Promise<void> {
  const existing = readStackState(config.stateDir);
  if (!existing) return;
  if (isAlive(existing.supervisorPid)) throw cliErrors.stackAlreadyUp(existing.supervisorPid, stackStatePath(config.stateDir));
  say(`found the state of a stack whose supervisor (pid ${existing.supervisorPid}) had died; cleaning it up`);
  await stopStack(config.stateDir);
}

export async function stackUp(options: UpOptions): Promise<void> {
  const say = (line: string) => process.stderr.write(`gameday: ${line}\n`);
  if (options.stack.docker) await checkDockerEngine();
  await claimStateDir(options.config, say);
  mkdirSync(stackLogDir(options.config.stateDir), { recursive: true });
  const service = options.stack.service ? ` and the service (${options.stack.service.workers} workers, ${options.stack.service.profile})` : '';
  say(options.stack.docker
    ? `starting containers: Redis, DynamoDB Local, Toxiproxy, the Bedrock emulator${service} (a first start pulls and builds images)…`
    : `starting redis-server, DynamoDB Local, the Bedrock emulator, the Toxiproxy-compatible proxy${service}…`);
  const state = options.foreground ? await runInForeground(options) : await startInBackground(options, say);
  printStatus(state, null, options.json);
  if (options.foreground) say('running in the foreground; Ctrl-C stops everything');
  else if (!options.json) say('the stack keeps running in the background; `gameday stack down` stops it');
}

function waitForSupervisor(child: ChildProcess, logPath: string, timeoutMs: number): Promise<StackState> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(cliErrors.startTimeout(timeoutMs / 1000, logPath));
    }, timeoutMs);
    child.on('message', (message: SupervisorMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.state);
      } else {
        clearTimeout(timer);
        child.once('exit', () => reject(new StackError(message.code, message.message)));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(cliErrors.supervisorDied(code, signal, logTail(logPath)));
    });
  });
}

async function startInBackground(options: UpOptions, say: (line: string) => void): Promise<StackState> {
  const logPath = join(stackLogDir(options.config.stateDir), 'supervisor.log');
  const { docker, ...stack } = options.stack;
  const request: SupervisorRequest = { stateDir: options.config.stateDir, stack, runtime: docker ? 'docker' : 'processes' };
  // The handlers go in before the spawn: a SIGINT in between would otherwise end this command at
  // once (no listener yet) and leave the supervisor it had just started running.
  let interrupted = false;
  let child: ChildProcess | null = null;
  const interrupt = () => {
    interrupted = true;
    say('interrupted; stopping what was started…');
    child?.kill('SIGTERM');
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const logFd = openSync(logPath, 'a');
  // Detached: the supervisor leads its own process group and outlives this command.
  child = spawn(process.execPath, tsxProgramArgs(supervisorMain, JSON.stringify(request)), {
    detached: true,
    stdio: ['ignore', logFd, logFd, 'ipc'],
    env: options.config.childEnv,
  });
  closeSync(logFd);
  say(`supervisor pid ${child.pid}, logs in ${stackLogDir(options.config.stateDir)}`);
  try {
    const state = await waitForSupervisor(child, logPath, docker ? dockerStartTimeoutMs : startTimeoutMs);
    if (interrupted) throw cliErrors.interrupted();
    child.disconnect();
    child.unref();
    return state;
  } catch (error) {
    if (interrupted) throw cliErrors.interrupted();
    throw error;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}

async function runInForeground(options: UpOptions): Promise<StackState> {
  const logPath = join(stackLogDir(options.config.stateDir), 'supervisor.log');
  const logger = pino({ name: 'gameday-stack' }, pino.destination({ dest: logPath, sync: true }));
  const { docker, ...stack } = options.stack;
  const supervisor = superviseStack({
    stateDir: options.config.stateDir,
    stack,
    runtime: docker ? 'docker' : 'processes',
    foreground: true,
    processGroup: null,
    logger,
  });
  let signalled = false;
  let ready = false;
  const stop = (signal: string) => {
    signalled = true;
    process.stderr.write(`\ngameday: ${signal}: stopping the stack…\n`);
    void supervisor.shutdown(signal).then(() => {
      process.stderr.write('gameday: stack stopped\n');
      // Stopped on request once running is success; stopped while starting is an interruption.
      process.exit(ready ? 0 : 130);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  try {
    const state = await supervisor.ready;
    ready = true;
    return state;
  } catch (error) {
    await supervisor.shutdown('start failed');
    if (signalled) throw cliErrors.interrupted();
    throw error;
  }
}
