import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { hashString, seededRandom } from '../../stack/random.js';
import { ProxiedConnection } from './connection.js';
import { AddressError, boundAddressText, parsePort, resolveTcpAddress, splitHostPort } from './listen-address.js';
import type { ToxicAttributes } from './toxic.js';
import { ToxicList, type ToxicRecord } from './toxic-list.js';

/** Go's ErrProxyAlreadyStarted: /reset starts every proxy and ignores this one. */
export class ProxyAlreadyStarted extends Error {
  constructor() {
    super('Proxy already started');
  }
}

export interface ProxySettings {
  name: string;
  listen: string;
  upstream: string;
  /** With the proxy's name and each connection's number, seeds every random draw. */
  seed: number;
  logger: Logger;
}

export interface ProxyChanges {
  listen: string;
  upstream: string;
  enabled: boolean;
}

const bindFailures: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'cannot assign requested address',
};

/**
 * One named proxy: a listener on `listen` that joins each client to a new connection to
 * `upstream`, through the toxics of each direction. `listen` shows the bound address once it
 * runs and keeps it when disabled, so enabling again binds the same port, as in Toxiproxy.
 */
export class TcpProxy {
  readonly name: string;
  listen: string;
  upstream: string;
  enabled = false;
  readonly toxics = new ToxicList();
  private listener: Server | undefined;
  private readonly connections = new Set<ProxiedConnection>();
  private readonly dialling = new Set<Socket>();
  private accepted = 0;

  constructor(private readonly settings: ProxySettings) {
    this.name = settings.name;
    this.listen = settings.listen;
    this.upstream = settings.upstream;
  }

  /** Throws ProxyAlreadyStarted, or an Error worded as Go's net.Listen failure. */
  async start(): Promise<void> {
    if (this.enabled) throw new ProxyAlreadyStarted();
    const address = await resolveTcpAddress(this.listen).catch((error: unknown) => {
      throw error instanceof AddressError ? new Error(`listen tcp: ${error.message}`) : error;
    });
    const server = createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, (client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: address.host, port: address.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: NodeJS.ErrnoException) => {
      const why = bindFailures[error.code ?? ''] ?? error.message;
      throw new Error(`listen tcp ${address.text}: bind: ${why}`);
    });
    server.on('error', (error) => this.settings.logger.warn({ proxy: this.name, err: error }, 'proxy listener failed'));
    this.listen = boundAddressText(server.address() as AddressInfo);
    this.listener = server;
    this.enabled = true;
    this.settings.logger.info({ proxy: this.name, listen: this.listen, upstream: this.upstream }, 'Started proxy');
  }

  /** Closes the listener and every connection through it (FIN, like Go's Close). */
  async stop(): Promise<void> {
    if (!this.enabled) return;
    this.enabled = false;
    const listener = this.listener;
    this.listener = undefined;
    const closed = new Promise<void>((resolve) => listener?.close(() => resolve()));
    for (const connection of this.connections) connection.destroy();
    for (const client of this.dialling) client.destroy();
    await closed;
    this.settings.logger.info({ proxy: this.name }, 'Terminated proxy');
  }

  /** Toxiproxy's Proxy.Update: a changed address restarts it, then `enabled` is applied. */
  async update(changes: ProxyChanges): Promise<void> {
    if (await this.differs(changes.listen, changes.upstream)) {
      await this.stop();
      this.listen = changes.listen;
      this.upstream = changes.upstream;
    }
    if (changes.enabled === this.enabled) return;
    if (changes.enabled) await this.start();
    else await this.stop();
  }

  /** Compares resolved addresses, so `localhost:8080` equals a running `127.0.0.1:8080`. */
  async differs(listen: string, upstream: string): Promise<boolean> {
    const resolved = await resolveTcpAddress(listen);
    return this.listen !== resolved.text || this.upstream !== upstream;
  }

  addToxic(record: ToxicRecord): void {
    this.toxics.add(record);
    for (const connection of this.connections) connection.addToxic(record);
  }

  updateToxic(record: ToxicRecord, attributes: ToxicAttributes, toxicity: number): void {
    const toxicityChanged = Math.fround(toxicity) !== record.toxicity;
    record.attributes = attributes;
    record.toxicity = Math.fround(toxicity);
    for (const connection of this.connections) connection.updateToxic(record, toxicityChanged);
  }

  removeToxic(record: ToxicRecord): void {
    this.toxics.remove(record);
    for (const connection of this.connections) connection.removeToxic(record);
  }

  removeAllToxics(): void {
    for (const record of this.toxics.all()) this.removeToxic(record);
  }

  liveConnections(): ProxiedConnection[] {
    return [...this.connections];
  }

  private accept(client: Socket): void {
    const number = (this.accepted += 1);
    const log = this.settings.logger.child({ proxy: this.name, client: `${client.remoteAddress}:${client.remotePort}` });
    client.on('error', (error: NodeJS.ErrnoException) => log.debug({ code: error.code }, 'client socket failed'));
    let target: { host: string; port: number };
    try {
      const parts = splitHostPort(this.upstream);
      target = { host: parts.host, port: parsePort(parts.port) };
    } catch (error) {
      log.error({ err: error }, 'Unable to open connection to upstream');
      client.destroy();
      return;
    }
    // Like Go, the client's bytes wait in the kernel until the upstream answers.
    const upstream = createConnection({ host: target.host || undefined, port: target.port, allowHalfOpen: true, noDelay: true });
    let connected = false;
    this.dialling.add(client);
    const abandon = (): void => {
      upstream.destroy();
    };
    client.once('close', abandon);
    upstream.once('error', (error) => {
      if (connected) return;
      this.dialling.delete(client);
      log.error({ err: error, upstream: this.upstream }, 'Unable to open connection to upstream');
      client.destroy();
    });
    upstream.once('connect', () => {
      connected = true;
      this.dialling.delete(client);
      client.off('close', abandon);
      if (!this.enabled || client.destroyed) {
        upstream.destroy();
        client.destroy();
        return;
      }
      const connection = new ProxiedConnection({
        id: number,
        client,
        upstream,
        toxics: this.toxics,
        random: (stream, purpose) =>
          seededRandom(hashString(`${this.settings.seed}/${this.name}/${number}/${stream}/${purpose}`)),
        logger: log,
        onFinished: (finished) => this.connections.delete(finished),
      });
      this.connections.add(connection);
      log.debug('Accepted client');
    });
  }
}
