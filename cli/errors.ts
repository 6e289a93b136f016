/**
 * The catalogue of errors the `gameday` command itself raises (the stack's own are in
 * stack/errors.ts). Stable codes; messages say what to do.
 */
export class CliError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'CliError';
    this.code = code;
  }
}

export const cliErrors = {
  usage: (message: string) => new CliError('GAMEDAY_ERR_USAGE', `${message} (see \`gameday --help\`)`),
  unknownCommand: (command: string) =>
    new CliError('GAMEDAY_ERR_UNKNOWN_COMMAND', `unknown command "${command}" (see \`gameday --help\`)`),
  stackAlreadyUp: (pid: number, stateFile: string) =>
    new CliError('GAMEDAY_ERR_STACK_ALREADY_UP',
      `a stack is already running (supervisor pid ${pid}, state in ${stateFile}). Use it, or stop it first with \`gameday stack down\`.`),
  stackNotRunning: (stateDir: string) =>
    new CliError('GAMEDAY_ERR_STACK_NOT_RUNNING', `no stack is running (no state in ${stateDir}). Start one with \`gameday stack up\`.`),
  supervisorDied: (code: number | null, signal: string | null, logTail: string) =>
    new CliError('GAMEDAY_ERR_SUPERVISOR_EXITED',
      `the stack supervisor exited (${signal ? `signal ${signal}` : `exit code ${code}`}) before it was ready.${logTail ? `\nLast lines of its log:\n${logTail}` : ''}`),
  startTimeout: (seconds: number, logPath: string) =>
    new CliError('GAMEDAY_ERR_STACK_START_TIMEOUT', `the stack was not ready after ${seconds} s; it was stopped. See ${logPath}.`),
  stopTimeout: (pid: number) =>
    new CliError('GAMEDAY_ERR_STACK_STOP_TIMEOUT', `the stack supervisor (pid ${pid}) did not stop in time; it and its parts were killed.`),
  smokeFailed: (failed: string[]) =>
    new CliError('GAMEDAY_ERR_SMOKE_FAILED', `smoke check failed: ${failed.join(', ')}. See the table above and \`gameday stack status\`.`),
  interrupted: () => new CliError('GAMEDAY_ERR_INTERRUPTED', 'interrupted; everything that was started has been stopped.'),
};
