/**
 * Creates the session table in a DynamoDB Local that runs elsewhere (a container), as
 * `stack up` does for its own, and with `sweep` keeps deleting expired items as AWS's TTL
 * would (DynamoDB Local never does). Logs go to stdout as JSON; a bad setting exits 1.
 */
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { pino } from 'pino';
import { localDynamoClient } from '../../dynamodb.js';
import { waitUntilReady } from '../../managed-process.js';
import { createSessionTable } from '../../session-table.js';
import { startTtlSweeper } from '../../ttl-sweeper.js';
import { ConfigError, loadSessionTableConfig } from './config.js';

// DynamoDB Local is a JVM; on a busy machine it can take most of a minute to answer.
const readyTimeoutMs = 90_000;
// Past this, a shutdown that is stuck is worse than one that is abrupt.
const shutdownDeadlineMs = 10_000;

function fail(message: string): never {
  process.stderr.write(`session-table: ${message}\n`);
  process.exit(1);
}

function loadOrExit() {
  try {
    return loadSessionTableConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

const config = loadOrExit();
const logger = pino({ name: 'session-table', level: config.logLevel });
const client = localDynamoClient(config.endpoint);

try {
  await waitUntilReady({
    what: `DynamoDB at ${config.endpoint}`, timeoutMs: readyTimeoutMs, intervalMs: 500,
    probe: () => client.send(new ListTablesCommand({ Limit: 1 })),
  });
  await createSessionTable(client, config.table);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
logger.info({ table: config.table, endpoint: config.endpoint }, 'session table ready');

if (config.mode === 'create') {
  client.destroy();
} else {
  const sweeper = startTtlSweeper({ client, table: config.table, intervalMs: config.sweepIntervalMs, logger });
  // The sweeper's timer never holds a process open (it serves ones that live for other reasons); this one lives for it.
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  logger.info({ intervalMs: config.sweepIntervalMs }, 'sweeping expired items');
  const stop = (signal: NodeJS.Signals) => {
    clearInterval(keepAlive);
    logger.info({ signal, ...sweeper.stats() }, 'sweeper stopping');
    setTimeout(() => fail('the sweeper did not stop in time; exiting anyway'), shutdownDeadlineMs).unref();
    void sweeper.stop().then(() => {
      client.destroy();
      process.exit(0);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
