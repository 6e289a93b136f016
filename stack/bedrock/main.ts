import { pino } from 'pino';
import { ConfigError, loadConfig, usage } from './config.js';
import { startBedrockEmulator } from './server.js';

// Past this, a shutdown that is stuck is worse than one that is abrupt.
const shutdownDeadlineMs = 5_000;

function fail(message: string): never {
  process.stderr.write(`bedrock emulator: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  if (config === 'help') {
    process.stdout.write(`${usage}\n`);
    return;
  }

  const logger = pino({ level: config.logLevel, base: { pid: process.pid, name: 'bedrock-emulator' } });
  let emulator;
  try {
    emulator = await startBedrockEmulator({ ...config, logger });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') fail(`port ${config.port} on ${config.host} is already in use; choose another --port, or 0 for any free one`);
    if (code === 'EADDRNOTAVAIL') fail(`--host ${config.host} is not an address of this machine`);
    throw error;
  }
  logger.info({ port: emulator.port, url: emulator.url, adminUrl: emulator.adminUrl, seed: config.seed,
    timeScale: config.timeScale }, 'bedrock emulator listening');

  const shutdown = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'bedrock emulator shutting down');
    setTimeout(() => {
      logger.error('bedrock emulator did not close in time; exiting anyway');
      process.exit(1);
    }, shutdownDeadlineMs).unref();
    emulator.close().then(() => process.exit(0), (error: unknown) => {
      logger.error({ err: error }, 'bedrock emulator failed to close');
      process.exit(1);
    });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => fail(error instanceof Error ? error.stack ?? error.message : String(error)));
