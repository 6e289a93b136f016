import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../../stack/ports.js';
import { inheritedEnv, toxiproxyServerOverride } from '../../../test/config.js';
import { startToxiproxyServer } from '../server.js';

/**
 * The Toxiproxies the compatibility suite runs against: ours, in process, always; and a real
 * `toxiproxy-server` when there is one (GAMEDAY_TOXIPROXY_SERVER, else PATH), so every shared
 * test proves both answer alike.
 */

export interface StartedTarget {
  api: string;
  stop(): Promise<void>;
}

export interface CompatTarget {
  name: 'ours' | 'real';
  /** Why this target cannot run here, or undefined when it can. */
  skipReason: string | undefined;
  start(): Promise<StartedTarget>;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function locateRealServer(): { path: string } | { reason: string } {
  if (toxiproxyServerOverride !== undefined) {
    return executable(toxiproxyServerOverride)
      ? { path: toxiproxyServerOverride }
      : { reason: `GAMEDAY_TOXIPROXY_SERVER=${toxiproxyServerOverride} is not an executable file` };
  }
  const found = (inheritedEnv.PATH ?? '').split(delimiter).map((dir) => join(dir, 'toxiproxy-server')).find(executable);
  return found ? { path: found } : { reason: 'no toxiproxy-server on PATH and GAMEDAY_TOXIPROXY_SERVER is not set' };
}

async function startRealServer(path: string): Promise<StartedTarget> {
  const port = await freePort();
  const child: ChildProcess = spawn(path, ['-host', '127.0.0.1', '-port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2_000)));
  const exited = once(child, 'exit');
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const api = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${path} exited (${child.exitCode}) before it answered:\n${output}`);
    const answered = await fetch(`${api}/version`).then((response) => response.ok, () => false);
    if (answered) return { api, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${path} did not answer ${api}/version within 30 s:\n${output}`);
    }
    await sleep(50);
  }
}

const real = locateRealServer();

export const compatTargets: readonly CompatTarget[] = [
  {
    name: 'ours',
    skipReason: undefined,
    start: async () => {
      const server = await startToxiproxyServer({ port: 0, seed: 1 });
      return { api: server.url, stop: () => server.stop() };
    },
  },
  {
    name: 'real',
    skipReason: 'reason' in real ? real.reason : undefined,
    start: () => ('path' in real ? startRealServer(real.path) : Promise.reject(new Error(real.reason))),
  },
];

/** One line per suite file, so a run without the real server says what it did not prove. */
export function announceSkippedTargets(suite: string): void {
  for (const target of compatTargets) {
    if (target.skipReason !== undefined) console.log(`${suite}: the ${target.name} toxiproxy-server target is skipped: ${target.skipReason}`);
  }
}
