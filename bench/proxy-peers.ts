import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, loopback } from '../stack/ports.js';
import { tsxProgramArgs } from '../stack/tsx-program.js';

/** A Toxiproxy (ours or the real one) running as a child process of the bench. */
export interface ProxyPeer {
  label: string;
  api: string;
  pid: number;
  stop(): Promise<void>;
}

const startTimeoutMs = 30_000;
const running = new Set<ChildProcess>();

// A bench that exits any way but through stop() still takes its children with it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function spawnPeer(command: string, args: string[], env?: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-2_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => tail.trim() };
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.stdin?.end();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
}

async function waitForVersion(api: string, child: ChildProcess, output: () => string, what: string): Promise<string> {
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it answered:\n${output()}`);
    }
    try {
      const response = await fetch(`${api}/version`);
      if (response.ok) return (await response.text()).trim();
    } catch {
      if (Date.now() > deadline) throw new Error(`${what} did not answer ${api}/version within ${startTimeoutMs / 1_000} s:\n${output()}`);
    }
    await sleep(50);
  }
}

/** Our proxy (chaos/proxy/server.ts) in a child of its own; see proxy-ours-child.ts. */
export async function startOurProxy(): Promise<ProxyPeer> {
  const { child, output } = spawnPeer(process.execPath, tsxProgramArgs(new URL('./proxy-ours-child.ts', import.meta.url)));
  const stop = stopper(child);
  try {
    let buffered = '';
    const api = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`our proxy did not start within ${startTimeoutMs / 1_000} s:\n${output()}`)), startTimeoutMs);
      child.once('exit', (code, signal) => reject(new Error(`our proxy exited (${code ?? signal}) before it listened:\n${output()}`)));
      child.stdout?.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const line = buffered.split('\n').find((text) => text.startsWith('{"url"'));
        if (line) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { url: string }).url);
        }
      });
    });
    const version = await waitForVersion(api, child, output, 'our proxy');
    return { label: `ours (${JSON.parse(version).version as string})`, api, pid: child.pid as number, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A real toxiproxy-server binary on a free loopback port. */
export async function startRealToxiproxy(path: string, env: NodeJS.ProcessEnv): Promise<ProxyPeer> {
  const port = await freePort();
  const { child, output } = spawnPeer(path, ['-host', loopback, '-port', String(port)], env);
  const stop = stopper(child);
  try {
    const api = `http://${loopback}:${port}`;
    const version = await waitForVersion(api, child, output, `${path}`);
    // v2.1.4 answered plain text, later versions JSON.
    const number = version.startsWith('{') ? (JSON.parse(version) as { version: string }).version : version;
    return { label: `real (${number})`, api, pid: child.pid as number, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function call(api: string, method: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${api}${path}`, { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${api}${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Creates a proxy to `upstream` listening on a port the server picks; returns that port. */
export async function createProxy(api: string, name: string, upstream: string): Promise<number> {
  const created = await call(api, 'POST', '/proxies', { name, listen: `${loopback}:0`, upstream, enabled: true }) as { listen: string };
  return Number(created.listen.split(':').at(-1));
}

/** A noop toxic on each direction, so a round trip crosses one twice and a bulk transfer once. */
export async function addNoopToxics(api: string, proxy: string): Promise<void> {
  for (const stream of ['upstream', 'downstream']) {
    await call(api, 'POST', `/proxies/${proxy}/toxics`, { name: `noop_${stream}`, type: 'noop', stream, toxicity: 1 });
  }
}
