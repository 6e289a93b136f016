import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What `gameday stack status --json` prints; DESIGN.md fixes these keys, more may be added. */
export interface StackEndpoints {
  redis: { url: string; maxmemory: string; maxmemoryPolicy: string };
  dynamodb: { endpoint: string; table: string; region: string };
  bedrock: { endpoint: string; admin: string };
  /** operatorTokenFile: the 0600 file holding the token catalog changes need (the token itself is never printed). */
  service?: {
    http: string; ws: string; statusFile: string; operatorTokenFile: string; profile: string; naive: string[]; workers: number;
  };
  toxiproxy?: ToxiproxyEndpoints;
}

/** The names `stack up` gives the proxies it routes through (DESIGN.md). */
export const stackProxyNames = ['carrier', 'redis', 'dynamodb', 'bedrock'] as const;
export type StackProxyName = (typeof stackProxyNames)[number];

export interface ToxiproxyEndpoints {
  /** Toxiproxy's HTTP API. */
  api: string;
  /** True when the user gave a real Toxiproxy (`--toxiproxy URL`) instead of ours. */
  external: boolean;
  /**
   * `carrier` is the client-facing path (host:port in front of the service; absent without a
   * service); the others sit between the service and its dependencies.
   */
  proxies: Partial<Record<StackProxyName, { listen: string; upstream: string }>>;
}

export interface StackProcessRecord {
  name: string;
  pid: number;
  logPath: string;
}

/** The state file that lets `status` and `down` find exactly what `up` started. */
export interface StackState {
  version: 1;
  supervisorPid: number;
  /** The supervisor leads this process group; every part it started is in it. */
  processGroup: number | null;
  foreground: boolean;
  startedAt: string;
  endpoints: StackEndpoints;
  processes: StackProcessRecord[];
  /** The service's turn-signing secret, for the end-of-run audit; never printed by `status`. */
  serviceSigningSecret?: string;
}

export interface SweeperReport {
  sweeps: number;
  deleted: number;
  lastSweepAt: number | null;
  lastError: string | null;
}

export function stackStatePath(stateDir: string): string {
  return join(stateDir, 'stack.json');
}

export function sweeperReportPath(stateDir: string): string {
  return join(stateDir, 'sweeper.json');
}

export function stackLogDir(stateDir: string): string {
  return join(stateDir, 'logs');
}

function writeAtomically(path: string, value: unknown): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temporary, path);
}

export function writeStackState(stateDir: string, state: StackState): void {
  mkdirSync(stateDir, { recursive: true });
  writeAtomically(stackStatePath(stateDir), state);
}

export function writeSweeperReport(stateDir: string, report: SweeperReport): void {
  writeAtomically(sweeperReportPath(stateDir), report);
}

function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

export function readStackState(stateDir: string): StackState | null {
  const state = readJson<StackState>(stackStatePath(stateDir));
  return state?.version === 1 ? state : null;
}

export function readSweeperReport(stateDir: string): SweeperReport | null {
  return readJson<SweeperReport>(sweeperReportPath(stateDir));
}

export function clearStackState(stateDir: string): void {
  rmSync(stackStatePath(stateDir), { force: true });
  rmSync(sweeperReportPath(stateDir), { force: true });
}

/** True while the process runs; an exited process nobody has reaped yet (a zombie) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}
