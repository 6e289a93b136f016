import type { Logger } from 'pino';
import { apiErrors } from './api-errors.js';
import { compareGoMapKeys } from './go-json.js';
import { ProxyAlreadyStarted, TcpProxy } from './proxy.js';
import type { ToxicKind } from './toxic.js';

export interface RegistrySettings {
  /** Seeds every proxy's random draws (toxicity, jitter, slicer sizes). */
  seed: number;
  logger: Logger;
  /** The toxic types the API accepts, by name. */
  kinds: ReadonlyMap<string, ToxicKind>;
}

export interface ProxyInput {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
}

/** Every proxy by name, with Toxiproxy's ProxyCollection rules (proxy_collection.go). */
export class ProxyRegistry {
  readonly kinds: ReadonlyMap<string, ToxicKind>;
  private readonly proxies = new Map<string, TcpProxy>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly settings: RegistrySettings) {
    this.kinds = settings.kinds;
  }

  /**
   * Runs API calls one at a time, as Toxiproxy's locks do: a create awaits its listen, and a
   * second create of the same name must see the first.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const guarded = (): Promise<T> => (this.closed ? Promise.reject(new Error('toxiproxy is stopping')) : work());
    const run = this.queue.then(guarded, guarded);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** In Go's map order (sorted by name), as GET /proxies writes them. */
  sorted(): TcpProxy[] {
    return [...this.proxies.values()].sort((a, b) => compareGoMapKeys(a.name, b.name));
  }

  get(name: string): TcpProxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw apiErrors.proxyNotFound();
    return proxy;
  }

  /** 409 when the name is taken; a listen that fails leaves nothing behind (500). */
  async create(input: ProxyInput): Promise<TcpProxy> {
    if (this.proxies.has(input.name)) throw apiErrors.proxyAlreadyExists();
    const proxy = this.newProxy(input);
    if (input.enabled) await proxy.start();
    this.proxies.set(input.name, proxy);
    return proxy;
  }

  /**
   * /populate's rule: the same name with the same resolved listen and upstream keeps the
   * running proxy (its connections and toxics) whatever `enabled` says; a different one stops
   * the old proxy and puts a new one in its place. The old one stays, stopped, if the new
   * one cannot start.
   */
  async addOrReplace(input: ProxyInput): Promise<TcpProxy> {
    const existing = this.proxies.get(input.name);
    if (existing) {
      if (!(await existing.differs(input.listen, input.upstream))) return existing;
      await existing.stop();
    }
    const proxy = this.newProxy(input);
    if (input.enabled) await proxy.start();
    this.proxies.set(input.name, proxy);
    return proxy;
  }

  async remove(name: string): Promise<void> {
    const proxy = this.get(name);
    await proxy.stop();
    this.proxies.delete(name);
  }

  /** Enables every proxy and removes every toxic; a proxy that cannot start stops the reset. */
  async reset(): Promise<void> {
    for (const proxy of this.proxies.values()) {
      try {
        await proxy.start();
      } catch (error) {
        if (!(error instanceof ProxyAlreadyStarted)) throw error;
      }
      proxy.removeAllToxics();
    }
  }

  /** Stops every proxy, forgets them, and refuses any later call: the server is stopping. */
  close(): Promise<void> {
    return this.exclusive(async () => {
      this.closed = true;
      const all = [...this.proxies.values()];
      this.proxies.clear();
      await Promise.all(all.map((proxy) => proxy.stop()));
    });
  }

  private newProxy(input: ProxyInput): TcpProxy {
    return new TcpProxy({
      name: input.name,
      listen: input.listen,
      upstream: input.upstream,
      seed: this.settings.seed,
      logger: this.settings.logger,
    });
  }
}
