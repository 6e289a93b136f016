import { setTimeout as sleep } from 'node:timers/promises';
import { type Random, seededRandom } from '../../stack/random.js';
import { type FaultDefinition, FaultRevertError, type FaultTargets } from './fault.js';
import { lifecycleFault } from './lifecycle.js';
import { FaultOptions } from './options.js';

export const killSignals = ['SIGKILL', 'SIGTERM'] as const;
type KillSignal = (typeof killSignals)[number];

interface TaskKillSettings {
  signal: KillSignal;
  count: number;
  percent: number | undefined;
  everyMs: number | undefined;
  seed: number;
  replaceTimeoutMs: number;
}

const pollMs = 200;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function pick(pids: number[], howMany: number, random: Random): number[] {
  const pool = [...pids];
  for (let i = 0; i < howMany && i < pool.length; i += 1) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as number, pool[i] as number];
  }
  return pool.slice(0, howMany);
}

/**
 * Stops fleet workers the way ECS stops tasks (AWS FIS aws:ecs:stop-task): SIGTERM lets a
 * worker drain, SIGKILL does not. Kills cannot be undone, so revert checks the other half of
 * the promise: the fleet replaced every killed worker within a bounded time.
 */
function createTaskKill(settings: TaskKillSettings, targets: FaultTargets) {
  const random = seededRandom(settings.seed);
  const stop = new AbortController();
  const killed: number[] = [];
  let rounds = 0;
  let fleetSize = 0;
  let repeating: Promise<void> | null = null;
  let lastKillAt = 0;
  const how = settings.percent !== undefined ? `${settings.percent}%` : String(settings.count);
  const description = `task-kill ${settings.signal} ${how} of the fleet's workers${settings.everyMs ? ` every ${settings.everyMs} ms` : ''}`;

  const liveWorkers = async () => (await targets.listWorkers()).filter((pid) => !killed.includes(pid) && isRunning(pid));

  const killRound = async () => {
    const live = await liveWorkers();
    const wanted = settings.percent !== undefined ? Math.max(1, Math.ceil((settings.percent / 100) * live.length)) : settings.count;
    for (const pid of pick(live, wanted, random)) {
      try {
        process.kill(pid, settings.signal);
        killed.push(pid);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
    rounds += 1;
    lastKillAt = performance.now();
  };

  const repeat = async (everyMs: number) => {
    while (!stop.signal.aborted) {
      await sleep(everyMs, undefined, { signal: stop.signal }).catch(() => undefined);
      if (stop.signal.aborted) return;
      await killRound().catch(() => undefined);
    }
  };

  return lifecycleFault({
    description,
    async apply(signal) {
      signal.addEventListener('abort', () => stop.abort(), { once: true });
      const workers = await targets.listWorkers();
      fleetSize = workers.length;
      if (fleetSize === 0) throw new Error('task-kill: the fleet lists no workers to kill');
      await killRound();
      if (settings.everyMs !== undefined && !signal.aborted) repeating = repeat(settings.everyMs);
      return { signal: settings.signal, fleetSize, killed: killed.join(','), kills: killed.length, everyMs: settings.everyMs ?? null };
    },
    async revert() {
      stop.abort();
      await repeating;
      const deadline = performance.now() + settings.replaceTimeoutMs;
      let live = await liveWorkers();
      while (live.length < fleetSize && performance.now() < deadline) {
        await sleep(pollMs);
        live = await liveWorkers();
      }
      const summary = { signal: settings.signal, rounds, kills: killed.length, killed: killed.join(','), workersBefore: fleetSize, workersAfter: live.length };
      if (live.length < fleetSize) {
        throw new FaultRevertError(description, [
          `the fleet has ${live.length} of ${fleetSize} workers ${Math.round(settings.replaceTimeoutMs / 1000)} s after the kills (killed pids ${summary.killed}); it did not replace them`,
        ]);
      }
      return { ...summary, replaced: true, replacedAfterMs: killed.length > 0 ? Math.round(performance.now() - lastKillAt) : 0 };
    },
  });
}

export const taskKillFault: FaultDefinition = {
  name: 'task-kill',
  summary: 'SIGKILL or SIGTERM fleet workers, once or at a rate, like ECS stopping tasks (FIS aws:ecs:stop-task)',
  options: [
    { name: 'signal', kind: 'choice', choices: killSignals, default: 'SIGKILL', description: 'SIGKILL (a crash) or SIGTERM (a drain, as ECS stops tasks)' },
    { name: 'count', kind: 'integer', default: 1, description: 'workers killed per round' },
    { name: 'percent', kind: 'number', description: 'share of live workers killed per round, 1 to 100 (instead of count)' },
    { name: 'every', kind: 'duration', description: 'kill another round at this interval until the fault ends (default: once)' },
    { name: 'seed', kind: 'integer', default: 1, description: 'which workers are picked, for replayable runs' },
    { name: 'replace-timeout', kind: 'duration', default: '60s', description: 'how long revert waits for the fleet to replace the killed workers' },
  ],
  create(raw, targets) {
    const options = new FaultOptions('task-kill', taskKillFault.options, raw);
    return createTaskKill({
      signal: options.string('signal') as KillSignal,
      count: options.number('count', { min: 1, max: 1_000 }),
      percent: options.maybeNumber('percent', { min: 1, max: 100 }),
      // The fleet gives up after 10 crashes in 10 s; faster rounds would test that, not ECS.
      everyMs: options.maybeNumber('every', { min: 1_000 }),
      seed: options.number('seed', { min: 0, max: 2 ** 32 - 1 }),
      replaceTimeoutMs: options.number('replace-timeout', { min: 1_000, max: 240_000 }),
    }, targets);
  },
};
