import type { Logger } from 'pino';
import { StackError } from './errors.js';
import { type RunningStack, type StackOptions, startStack } from './stack.js';
import {
  type StackState, clearStackState, readStackState, stackLogDir, writeStackState, writeSweeperReport,
} from './stack-state.js';

export interface SupervisorOptions {
  stateDir: string;
  stack: Omit<StackOptions, 'dir' | 'logger' | 'onSweep'>;
  /** Local processes (default), or the same parts as containers (`stack up --docker`). */
  runtime?: 'processes' | 'docker';
  foreground: boolean;
  /** The process group every part runs in, when this process leads one. */
  processGroup: number | null;
  logger: Logger;
}

export interface Supervisor {
  /** Resolves with the state once every part answers; rejects if the stack could not start. */
  ready: Promise<StackState>;
  /** Stops every part (also one still starting) and removes the state file; safe to call twice. */
  shutdown(reason: string): Promise<void>;
}

/**
 * Owns a running stack for its lifetime: starts it, records it in the state file so `status`
 * and `down` can find it, and tears it down on request.
 */
export function superviseStack(options: SupervisorOptions): Supervisor {
  const { stateDir, logger } = options;
  const stackOptions: StackOptions = {
    ...options.stack,
    dir: stackLogDir(stateDir),
    logger,
    onSweep: (report) => writeSweeperReport(stateDir, report),
  };
  // Loaded only for --docker: testcontainers takes most of a second to import.
  const starting: Promise<Pick<RunningStack, 'endpoints' | 'processes' | 'firstExit' | 'stop'>> = options.runtime === 'docker'
    ? import('./docker/docker-stack.js').then(({ startDockerStack }) => startDockerStack(stackOptions))
    : startStack(stackOptions);
  let shuttingDown: Promise<void> | null = null;

  const ready = starting.then((stack) => {
    if (shuttingDown) throw new StackError('GAMEDAY_ERR_STACK_STOPPED', 'the stack was stopped before it was ready');
    const state: StackState = {
      version: 1,
      supervisorPid: process.pid,
      processGroup: options.processGroup,
      foreground: options.foreground,
      startedAt: new Date().toISOString(),
      endpoints: stack.endpoints,
      processes: stack.processes,
      ...(options.stack.service ? { serviceSigningSecret: options.stack.service.signingSecret } : {}),
    };
    writeStackState(stateDir, state);
    void stack.firstExit.then((name) => {
      if (!shuttingDown) logger.error({ part: name }, `${name} exited unexpectedly; the stack is degraded`);
    });
    return state;
  });

  return {
    ready,
    shutdown(reason: string) {
      shuttingDown ??= (async () => {
        logger.info({ reason }, 'stopping the stack');
        const stack = await starting.catch(() => null);
        await stack?.stop();
        if (readStackState(stateDir)?.supervisorPid === process.pid) clearStackState(stateDir);
        logger.info('stack stopped');
      })();
      return shuttingDown;
    },
  };
}
