import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { startToxiproxyServer } from './server.js';

/**
 * Our Toxiproxy as a program (the stack runs it as a child). stdout carries one line,
 * `toxiproxy listening on http://HOST:PORT`, once the API answers; logs go to stderr.
 */

// Past this, a shutdown that is stuck is worse than one that is abrupt.
const shutdownDeadlineMs = 5_000;

function fail(message: string): never {
  process.stderr.write(`toxiproxy: ${message}\n`);
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
  const logger = pino({ level: config.logLevel, base: { pid: process.pid, name: 'toxiproxy' } }, pino.destination(2));
  let server;
  try {
    server = await startToxiproxyServer({ host: config.host, port: config.port, seed: config.seed, logger });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') fail(`port ${config.port} on ${config.host} is already in use; set GAMEDAY_TOXIPROXY_PORT to another port, or 0 for any free one`);
    if (code === 'EADDRNOTAVAIL') fail(`GAMEDAY_TOXIPROXY_HOST ${config.host} is not an address of this machine`);
    throw error;
  }
  process.stdout.write(`toxiproxy listening on ${server.url}\n`);

  const shutdown = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'Shutdown started');
    setTimeout(() => fail('did not stop in time; exiting anyway'), shutdownDeadlineMs).unref();
    server.stop().then(() => process.exit(0), (error: unknown) => fail(`failed to stop: ${String(error)}`));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => fail(error instanceof Error ? error.stack ?? error.message : String(error)));
