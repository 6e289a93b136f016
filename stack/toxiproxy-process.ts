import { join } from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { stackErrors } from './errors.js';
import { type RunningPart, startPart } from './managed-process.js';
import { loopback, startOnPort } from './ports.js';
import type { StackProxyName, ToxiproxyEndpoints } from './stack-state.js';
import { tsxProgramArgs } from './tsx-program.js';

export interface ToxiproxyProcessOptions {
  dir: string;
  port?: number;
  seed: number;
  env?: NodeJS.ProcessEnv;
}

export interface RunningToxiproxyProcess extends RunningPart {
  api: string;
}

const proxyMain = new URL('../chaos/proxy/main.ts', import.meta.url);

async function answersVersion(api: string): Promise<string> {
  const response = await fetch(`${api}/version`, { signal: AbortSignal.timeout(2_000) });
  if (!response.ok) throw new Error(`/version answered ${response.status}`);
  return (await response.text()).trim();
}

/** Runs our Toxiproxy-compatible proxy (chaos/proxy) as its own process. */
export async function startToxiproxyProcess(options: ToxiproxyProcessOptions): Promise<RunningToxiproxyProcess> {
  return startOnPort('the Toxiproxy-compatible proxy', options.port, async (port) => {
    const api = `http://${loopback}:${port}`;
    const part = await startPart({
      name: 'toxiproxy',
      command: process.execPath,
      args: tsxProgramArgs(proxyMain),
      logPath: join(options.dir, 'toxiproxy.log'),
      env: {
        ...options.env,
        GAMEDAY_TOXIPROXY_HOST: loopback,
        GAMEDAY_TOXIPROXY_PORT: String(port),
        GAMEDAY_TOXIPROXY_SEED: String(options.seed),
      },
      port,
      ready: { what: 'the Toxiproxy-compatible proxy', probe: () => answersVersion(api) },
    });
    return { ...part, api };
  });
}

/** A Toxiproxy the user runs (`--toxiproxy URL`): it must answer before anything is routed through it. */
export async function checkExternalToxiproxy(api: string): Promise<string> {
  try {
    return await answersVersion(api);
  } catch (error) {
    throw stackErrors.toxiproxyUnreachable(api, error instanceof Error ? error.message : String(error));
  }
}

function hostPort(url: string): string {
  const { hostname, port } = new URL(url);
  return `${hostname}:${port}`;
}

/**
 * Creates (or recreates, by Toxiproxy's populate rules) one proxy per route on a free
 * loopback port, and answers where each listens.
 */
export async function routeThroughProxies(api: string, routes: Partial<Record<StackProxyName, string>>):
  Promise<ToxiproxyEndpoints['proxies']> {
  const entries = Object.entries(routes) as Array<[StackProxyName, string]>;
  const created = await new Toxiproxy(api).populate(entries.map(([name, upstreamUrl]) => ({
    name, listen: `${loopback}:0`, upstream: hostPort(upstreamUrl), enabled: true,
  })));
  return Object.fromEntries(entries.map(([name]) => {
    const proxy = created[name];
    if (!proxy) throw stackErrors.toxiproxyUnreachable(api, `populate did not return the proxy "${name}"`);
    return [name, { listen: proxy.listen, upstream: proxy.upstream }];
  }));
}

/** Removes the stack's proxies from a Toxiproxy we did not start, leaving the user's own alone. */
export async function removeStackProxies(api: string, names: readonly StackProxyName[]): Promise<void> {
  const toxiproxy = new Toxiproxy(api);
  await Promise.allSettled(names.map(async (name) => (await toxiproxy.get(name)).remove()));
}

/** The same address with its host:port swapped for a proxy's listen address. */
export function viaProxy(url: string, listen: string): string {
  const parsed = new URL(url);
  parsed.host = listen;
  return parsed.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
}
