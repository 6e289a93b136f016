/**
 * The orchestrator's entry point: the primary runs the fleet, each worker serves.
 * `node --import tsx service/main.ts` (configuration from the environment: service/config.ts).
 */
import cluster from 'node:cluster';
import { pino } from 'pino';
import { ConfigError, loadServiceConfig } from './config.js';
import { runFleet } from './fleet.js';
import { startWorker } from './worker.js';

function loadOrExit() {
  try {
    return loadServiceConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

const config = loadOrExit();
const logger = pino({ name: 'orchestrator', level: config.logLevel, base: { pid: process.pid, profile: config.profile } });

if (cluster.isPrimary) {
  logger.info({ workers: config.workers, naive: config.naive, port: config.http.port }, 'starting the fleet');
  runFleet({ workers: config.workers, drainTimeoutMs: config.drainTimeoutMs, statusFile: config.fleetStatusFile, logger }).then(
    () => {
      logger.info('fleet stopped');
      process.exit(0);
    },
    (error: unknown) => {
      logger.fatal({ err: error }, 'fleet failed');
      process.exit(1);
    },
  );
} else {
  const worker = await startWorker(config, logger).catch((error: unknown) => {
    logger.fatal({ err: error }, 'worker failed to start');
    process.exit(1);
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker draining');
    worker.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'worker drain failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
