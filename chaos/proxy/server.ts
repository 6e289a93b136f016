import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { createApiListener } from './api-routes.js';
import { joinHostPort } from './listen-address.js';
import { ProxyRegistry } from './proxy-registry.js';
import { toxicKinds } from './toxics/registry.js';

export interface ToxiproxyServerOptions {
  /** Where the HTTP API listens (default 127.0.0.1). */
  host?: string;
  /** The API's port (default 8474, Toxiproxy's; 0 picks a free one). */
  port?: number;
  /** Seeds toxicity, jitter and slicer draws, so a run can be repeated (default 1). */
  seed?: number;
  logger?: Logger;
}

export interface RunningToxiproxy {
  /** http://127.0.0.1:PORT (the API). */
  url: string;
  port: number;
  /** Closes the API, every proxy's listener and every proxied connection. */
  stop(): Promise<void>;
}

const wildcardHosts = new Set(['0.0.0.0', '::', '']);

/** Our Toxiproxy, in this process: the HTTP API with no proxies yet. */
export async function startToxiproxyServer(options: ToxiproxyServerOptions = {}): Promise<RunningToxiproxy> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? pino({ level: 'silent' });
  const registry = new ProxyRegistry({ seed: options.seed ?? 1, logger, kinds: toxicKinds });
  const server = createServer(createApiListener(registry, logger));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 8474, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const reachableHost = wildcardHosts.has(host) ? '127.0.0.1' : host;
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await registry.close();
    await closed;
  };
  logger.info({ port, seed: options.seed ?? 1 }, 'Starting Toxiproxy HTTP server');
  return {
    url: `http://${joinHostPort(reachableHost, port)}`,
    port,
    stop: () => (stopping ??= stop()),
  };
}
