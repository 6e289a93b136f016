import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startBedrockEmulator } from '../../stack/bedrock/server.js';
import { type ServiceDeps, startServiceDeps } from '../../test/service-deps.js';
import { type RunningFleet, startFleet } from '../../test/service-fleet.js';
import { FaultRevertError } from './fault.js';
import { testTargets } from './fault-test-kit.js';
import { taskKillFault } from './task-kill.js';

let deps: ServiceDeps;
let emulator: RunningEmulator;
let fleet: RunningFleet;

beforeAll(async () => {
  [deps, emulator] = await Promise.all([startServiceDeps(), startBedrockEmulator({ timeScale: 0.05 })]);
  fleet = await startFleet(deps, emulator.url, { workers: 2 });
  await fleet.waitForWorkers(2);
}, 120_000);

afterAll(async () => {
  await fleet?.stop();
  await emulator?.close();
  await deps?.stop();
}, 60_000);

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const fleetTargets = () => testTargets({ listWorkers: () => Promise.resolve(fleet.workers()) });

describe('the task-kill fault', () => {
  it('SIGKILLs a worker, and revert reports that the fleet replaced it', async () => {
    const before = fleet.workers();
    const fault = taskKillFault.create({ count: 1 }, fleetTargets());
    const applied = await fault.apply(new AbortController().signal);
    expect(applied).toMatchObject({ signal: 'SIGKILL', fleetSize: 2, kills: 1 });
    const killed = Number(applied.killed);
    expect(before).toContain(killed);

    const reverted = await fault.revert();
    expect(reverted).toMatchObject({ replaced: true, workersBefore: 2, workersAfter: 2, kills: 1, killed: String(killed) });
    expect(isRunning(killed)).toBe(false);
    expect(fleet.workers()).not.toContain(killed);
    await fleet.waitForWorkers(2, [killed]);
  }, 90_000);

  it('SIGTERMs a share of the workers at a rate until it is reverted', async () => {
    const fault = taskKillFault.create({ signal: 'SIGTERM', percent: 50, every: '1s' }, fleetTargets());
    const controller = new AbortController();
    const applied = await fault.apply(controller.signal);
    expect(applied).toMatchObject({ signal: 'SIGTERM', kills: 1, everyMs: 1000 });
    await sleep(2_500);
    controller.abort();
    const reverted = await fault.revert();
    expect(reverted.rounds as number).toBeGreaterThanOrEqual(2);
    expect(reverted).toMatchObject({ replaced: true, workersAfter: 2 });
    const killed = String(reverted.killed).split(',').map(Number);
    expect(killed.length).toBe(reverted.kills);
    await fleet.waitForWorkers(2, killed);
  }, 120_000);

  it('is loud when nothing replaces the killed workers', async () => {
    const lonely = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => lonely.once('exit', resolve));
    try {
      const pid = lonely.pid as number;
      const fault = taskKillFault.create({ 'replace-timeout': '1s' }, testTargets({ listWorkers: () => Promise.resolve(isRunning(pid) ? [pid] : []) }));
      await fault.apply(new AbortController().signal);
      await exited;
      const error = await fault.revert().then(() => null, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(FaultRevertError);
      expect((error as Error).message).toContain(`the fleet has 0 of 1 workers`);
      expect((error as Error).message).toContain(String(pid));
    } finally {
      lonely.kill('SIGKILL');
    }
  });
});
