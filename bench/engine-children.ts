import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { tsxProgramArgs } from '../stack/tsx-program.js';
import type { FakeChatStats } from './engine-fake-chat.js';
import type { GeneratorOutcome, GeneratorSettings } from './engine-generator.js';

/** The processes bench/engine.ts starts, each stopped by its own pid, also when the bench dies. */
const running = new Set<ChildProcess>();
const stopGraceMs = 5_000;
const startTimeoutMs = 30_000;

process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Which cores a child may run on (taskset -c), or null to leave it unpinned. */
export type Cores = string | null;

export interface Spawned {
  child: ChildProcess;
  pid: number;
  /** The last 2,000 characters of its output, for an error message. */
  output(): string;
  stop(): Promise<void>;
}

export function spawnChild(command: string, args: string[], options: { cores: Cores; taskset: string | null; env?: NodeJS.ProcessEnv; stderr: 'pipe' | 'inherit' }): Spawned {
  // taskset execs the command, so the pid we get is the command's own.
  const [file, argv] = options.cores !== null && options.taskset !== null
    ? [options.taskset, ['-c', options.cores, command, ...args]]
    : [command, args];
  const child = spawn(file, argv, { env: options.env, stdio: ['pipe', 'pipe', options.stderr] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.once('error', () => running.delete(child));
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-2_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = once(child, 'exit');
    child.stdin?.end();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
    await exited;
    clearTimeout(timer);
  };
  return { child, pid: child.pid ?? -1, output: () => tail.trim(), stop };
}

/** Calls `onLine` with every stdout line that parses as a JSON object. */
export function onJsonLines(child: ChildProcess, onLine: (value: Record<string, unknown>) => void): void {
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        onLine(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // A line that only looks like JSON is output for people.
      }
    }
  });
}

/** Resident memory of a process in bytes, from /proc; null once it is gone or off Linux. */
export function rssBytes(pid: number): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((text) => text.startsWith('VmRSS:'));
    return line ? Number(line.split(/\s+/)[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export interface FakeServer {
  http: string;
  ws: string;
  pid: number;
  /** Resolves when the first session is created: the load has begun. */
  firstSession: Promise<void>;
  stats(): Promise<FakeChatStats>;
  stop(): Promise<void>;
}

/** The fake chat server (engine-server.ts) in a child of its own. */
export async function startFakeServer(cores: Cores, taskset: string | null): Promise<FakeServer> {
  const spawned = spawnChild(process.execPath, tsxProgramArgs(new URL('./engine-server.ts', import.meta.url)), { cores, taskset, stderr: 'pipe' });
  let sawFirstSession: () => void = () => undefined;
  const firstSession = new Promise<void>((resolve) => { sawFirstSession = resolve; });
  try {
    const urls = await new Promise<{ http: string; ws: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the fake chat server did not start within ${startTimeoutMs / 1_000} s:\n${spawned.output()}`)), startTimeoutMs);
      spawned.child.once('exit', (code, signal) => reject(new Error(`the fake chat server exited (${code ?? signal}) before it listened:\n${spawned.output()}`)));
      onJsonLines(spawned.child, (line) => {
        if (line.event === 'first-session') sawFirstSession();
        else if (typeof line.http === 'string' && typeof line.ws === 'string') {
          clearTimeout(timer);
          resolve({ http: line.http, ws: line.ws });
        }
      });
    });
    return {
      ...urls, pid: spawned.pid, firstSession, stop: spawned.stop,
      stats: async () => (await (await fetch(`${urls.http}/_bench/stats`)).json()) as FakeChatStats,
    };
  } catch (error) {
    await spawned.stop();
    throw error;
  }
}

/** One run of our generator (engine-generator.ts) in a child of its own; its progress line goes to our stderr. */
export async function runGenerator(settings: GeneratorSettings, cores: Cores, taskset: string | null, timeoutMs: number): Promise<GeneratorOutcome> {
  const args = ['--expose-gc', ...tsxProgramArgs(new URL('./engine-generator.ts', import.meta.url), JSON.stringify(settings))];
  const spawned = spawnChild(process.execPath, args, { cores, taskset, stderr: 'inherit' });
  let outcome: GeneratorOutcome | null = null;
  onJsonLines(spawned.child, (line) => {
    if (typeof line.messages === 'number') outcome = line as unknown as GeneratorOutcome;
  });
  const timer = setTimeout(() => void spawned.stop(), timeoutMs);
  try {
    const [code, signal] = (await once(spawned.child, 'exit')) as [number | null, NodeJS.Signals | null];
    if (outcome === null) throw new Error(`the generator ended (${code ?? signal}) without a result${spawned.output() ? `:\n${spawned.output()}` : ''}`);
    return outcome;
  } finally {
    clearTimeout(timer);
    await spawned.stop();
  }
}

/**
 * Idle RSS of a Node process after a full GC: bare, and with the TypeScript loader (tsx, as
 * gameday runs) and one small .ts module loaded, so a reader can tell the runtime's share of
 * the generator's memory from the engine's.
 */
export async function idleNodeRss(): Promise<{ bare: number; withTsx: number }> {
  const measure = async (args: string[]) => {
    const spawned = spawnChild(process.execPath, args, { cores: null, taskset: null, stderr: 'pipe' });
    const [code] = (await once(spawned.child, 'exit')) as [number | null];
    const rss = Number(spawned.output().split('\n').at(-1));
    if (code !== 0 || !Number.isFinite(rss)) throw new Error(`measuring an idle Node failed (${code}):\n${spawned.output()}`);
    return rss;
  };
  const report = 'gc(); gc(); console.log(process.memoryUsage().rss);';
  const module = new URL('./engine-workload.ts', import.meta.url).href;
  return {
    bare: await measure(['--expose-gc', '-e', report]),
    withTsx: await measure(['--expose-gc', '--import', import.meta.resolve('tsx'), '--input-type=module', '-e', `await import(${JSON.stringify(module)}); ${report}`]),
  };
}
