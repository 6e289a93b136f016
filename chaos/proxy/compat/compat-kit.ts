import { afterAll, afterEach, beforeAll } from 'vitest';
import { startEchoUpstream, startUpstream, type Upstream } from '../proxy-test-kit.js';
import type { CompatTarget, StartedTarget } from './targets.js';

/** One answer, with what the compatibility suite compares: status, headers and exact text. */
export interface Answer {
  status: number;
  text: string;
  header(name: string): string | null;
  json<T = unknown>(): T;
}

export interface CompatSession {
  /** The API base URL of the running target. */
  readonly api: string;
  call(method: string, path: string, body?: string | object, headers?: Record<string, string>): Promise<Answer>;
  /** A proxy to `upstream` on a port the server picks; returns the created proxy's JSON. */
  createProxy(name: string, upstream: string, extra?: object): Promise<ProxyJson>;
  echoUpstream(): Promise<Upstream>;
  upstream(...args: Parameters<typeof startUpstream>): Promise<Upstream>;
}

export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

export interface ToxicJson {
  name: string;
  type: string;
  stream: string;
  toxicity: number;
  attributes: Record<string, unknown>;
}

/** The exact error body Toxiproxy serves (as text/plain, with a newline). */
export function errorBody(message: string, status: number): string {
  return `${JSON.stringify({ error: message, status })}\n`;
}

/**
 * Starts the target once per describe block, and after each test deletes every proxy and
 * closes every upstream the test started, so tests never see each other's state.
 */
export function useCompatTarget(target: CompatTarget): CompatSession {
  let started: StartedTarget | undefined;
  const upstreams: Upstream[] = [];
  beforeAll(async () => {
    started = await target.start();
  });
  afterAll(async () => {
    await started?.stop();
  });
  const session: CompatSession = {
    get api() {
      if (!started) throw new Error(`the ${target.name} target is not running`);
      return started.api;
    },
    async call(method, path, body, headers = {}) {
      const response = await fetch(`${session.api}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        redirect: 'manual',
      });
      const text = await response.text();
      return { status: response.status, text, header: (name) => response.headers.get(name), json: <T>() => JSON.parse(text) as T };
    },
    async createProxy(name, upstream, extra = {}) {
      const answer = await session.call('POST', '/proxies', { name, listen: '127.0.0.1:0', upstream, ...extra });
      if (answer.status !== 201) throw new Error(`creating ${name} answered ${answer.status}: ${answer.text}`);
      return answer.json<ProxyJson>();
    },
    async echoUpstream() {
      const upstream = await startEchoUpstream();
      upstreams.push(upstream);
      return upstream;
    },
    async upstream(...args) {
      const upstream = await startUpstream(...args);
      upstreams.push(upstream);
      return upstream;
    },
  };
  afterEach(async () => {
    if (started) {
      const all = (await session.call('GET', '/proxies')).json<Record<string, ProxyJson>>();
      for (const name of Object.keys(all)) await session.call('DELETE', `/proxies/${encodeURIComponent(name)}`);
    }
    for (const upstream of upstreams.splice(0)) await upstream.close();
  });
  return session;
}
