/**
 * The background supervisor that `gameday stack up` leaves running. It gets its whole
 * configuration from the CLI as one JSON argument (so it reads no environment), reports
 * `ready` or `failed` over IPC, and stops every part on SIGTERM or SIGINT.
 */
import { pino } from 'pino';
import { StackError } from './errors.js';
import { type SupervisorOptions, superviseStack } from './supervisor.js';

export type SupervisorRequest = Omit<SupervisorOptions, 'logger' | 'foreground' | 'processGroup'>;

export type SupervisorMessage =
  | { type: 'ready'; state: import('./stack-state.js').StackState }
  | { type: 'failed'; code: string; message: string };

const request = JSON.parse(process.argv[2] ?? '{}') as SupervisorRequest;
const logger = pino({ name: 'gameday-stack' });
const send = (message: SupervisorMessage) => {
  if (process.connected) process.send?.(message);
};

const supervisor = superviseStack({
  ...request,
  foreground: false,
  // Started detached, this process leads a new process group that its parts join.
  processGroup: process.pid,
  logger,
});

const stop = (reason: string) => {
  void supervisor.shutdown(reason).then(() => process.exit(0));
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
// Before it is ready, losing the CLI that waits for us means nobody will ever stop us.
const stopIfOrphaned = () => stop('the CLI that started the stack went away before it was ready');
process.once('disconnect', stopIfOrphaned);

supervisor.ready.then(
  (state) => {
    process.off('disconnect', stopIfOrphaned);
    logger.info({ endpoints: state.endpoints }, 'stack ready');
    send({ type: 'ready', state });
  },
  (error: unknown) => {
    const code = error instanceof StackError ? error.code : 'GAMEDAY_ERR_STACK_START';
    const message = error instanceof Error ? error.message : String(error);
    logger.error({ code, err: error }, 'stack failed to start');
    send({ type: 'failed', code, message });
    void supervisor.shutdown('start failed').then(() => process.exit(1));
  },
);
