import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { StackError, stackErrors } from './errors.js';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  /** Resolves when the process has exited, for whatever reason. */
  readonly exited: Promise<ExitInfo>;
  hasExited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<ExitInfo>;
}

/** A started part of the stack: its process, where it logs, and how to stop it. */
export interface RunningPart {
  port: number;
  pid: number;
  logPath: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  logPath: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Thrown when the command cannot be started at all (ENOENT and the like). */
  onSpawnError?: (error: NodeJS.ErrnoException) => StackError;
}

/**
 * Starts a long-running child whose output goes to a log file. The child stays in our
 * process group, so a supervisor killed outright can still be cleaned up by group.
 */
export function startProcess(options: StartOptions): Promise<ManagedProcess> {
  const logFd = openSync(options.logPath, 'a');
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);

  let exitInfo: ExitInfo | null = null;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });

  return new Promise((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(options.onSpawnError?.(error) ?? error);
    });
    child.once('spawn', () => {
      const pid = child.pid as number;
      resolve({
        name: options.name,
        pid,
        logPath: options.logPath,
        exited,
        hasExited: () => exitInfo !== null,
        async stop(graceMs = 5_000) {
          if (exitInfo) return exitInfo;
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          const info = await exited;
          clearTimeout(timer);
          return info;
        },
      });
    });
  });
}

/** The last lines of a log file, for error messages. */
export function logTail(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export interface ReadyOptions {
  what: string;
  probe: () => Promise<unknown>;
  process?: ManagedProcess;
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls `probe` until it resolves. Fails at once, with the log's tail, if the process exits
 * first; fails with the last probe error when the time is up.
 */
export async function waitUntilReady(options: ReadyOptions): Promise<void> {
  const { what, probe, process: child, timeoutMs = 30_000, intervalMs = 100 } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  for (;;) {
    if (child?.hasExited()) {
      const info = await child.exited;
      throw stackErrors.exitedEarly(what, info.code, info.signal, logTail(child.logPath));
    }
    try {
      await probe();
      return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) throw stackErrors.notReady(what, timeoutMs, lastError);
    await sleep(intervalMs);
  }
}

export interface PartOptions extends StartOptions {
  port: number;
  ready: Omit<ReadyOptions, 'process'>;
  /** How long a stop waits after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
}

/** Starts a part of the stack and waits until it answers; a part that never does is stopped. */
export async function startPart(options: PartOptions): Promise<RunningPart> {
  const { port, ready, stopGraceMs = 5_000, ...start } = options;
  const child = await startProcess(start);
  try {
    await waitUntilReady({ ...ready, process: child });
  } catch (error) {
    await child.stop(stopGraceMs);
    throw error;
  }
  return {
    port,
    pid: child.pid,
    logPath: child.logPath,
    process: child,
    stop: async () => { await child.stop(stopGraceMs); },
  };
}
