import { setTimeout as sleep } from 'node:timers/promises';
import { type StackState, clearStackState, isAlive, readStackState } from '../stack/stack-state.js';

export interface StopReport {
  found: boolean;
  supervisorPid: number | null;
  /** Parts that were still alive after the supervisor went and had to be killed. */
  killed: string[];
  gracefully: boolean;
}

async function waitForExit(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone: that is the goal.
  }
}

/** Kills whatever of a stack is still alive: its recorded parts and its whole process group. */
async function killLeftovers(state: StackState): Promise<string[]> {
  const alive = state.processes.filter((part) => isAlive(part.pid));
  for (const part of alive) signal(part.pid, 'SIGKILL');
  if (state.processGroup) signal(-state.processGroup, 'SIGKILL');
  await waitForExit(alive.map((part) => part.pid), 5_000);
  return alive.map((part) => part.name);
}

/**
 * Stops exactly what `stack up` started: asks the supervisor to stop its parts (SIGTERM),
 * waits, and then kills anything left, so nothing outlives `down`.
 */
export async function stopStack(stateDir: string, graceMs = 20_000): Promise<StopReport> {
  const state = readStackState(stateDir);
  if (!state) return { found: false, supervisorPid: null, killed: [], gracefully: true };
  let gracefully = true;
  if (isAlive(state.supervisorPid)) {
    signal(state.supervisorPid, 'SIGTERM');
    gracefully = await waitForExit([state.supervisorPid], graceMs);
    if (!gracefully) signal(state.supervisorPid, 'SIGKILL');
  }
  const killed = await killLeftovers(state);
  clearStackState(stateDir);
  return { found: true, supervisorPid: state.supervisorPid, killed, gracefully };
}
