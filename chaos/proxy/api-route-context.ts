import type { ProxyRegistry } from './proxy-registry.js';

/** What a route handler gets: the proxies, the path's variables and the request body. */
export interface RouteContext {
  registry: ProxyRegistry;
  /** `proxy` and `toxic` from paths like /proxies/{proxy}/toxics/{toxic}, decoded. */
  params: Readonly<Record<string, string>>;
  body(): Promise<string>;
}
