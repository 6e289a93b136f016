import type { FaultStep } from '../incident.js';
import { runErrors } from './run-errors.js';
import type { MethodStep } from '../../chaos/experiments/experiment.js';
import type { Journal } from '../../chaos/experiments/journal.js';
import { runExperiment } from '../../chaos/experiments/run-experiment.js';
import { faultDefinitions, findFaultDefinition } from '../../chaos/faults/catalogue.js';
import { type FaultTargets, FaultOptionError } from '../../chaos/faults/fault.js';
import { readFleetStatus } from '../../stack/service-process.js';
import { isAlive, type StackEndpoints } from '../../stack/stack-state.js';

/** What a running stack offers the faults: its proxies, the real redis-server, the emulator's admin API, the fleet. */
export function faultTargetsFor(endpoints: StackEndpoints): FaultTargets {
  return {
    toxiproxyApi: endpoints.toxiproxy?.api ?? '',
    proxies: endpoints.toxiproxy?.proxies ?? {},
    redisUrl: endpoints.redis.url,
    bedrockAdmin: endpoints.bedrock.admin,
    listWorkers: async () => {
      const statusFile = endpoints.service?.statusFile;
      return (statusFile ? readFleetStatus(statusFile)?.workers ?? [] : []).filter(isAlive);
    },
  };
}

/**
 * The incident's fault timeline as an experiment's method (no steady-state probes: the gates
 * judge the run). Every fault is created here, before any load, so a bad fault name or option
 * fails the run before it starts.
 */
export function faultMethod(incident: string, steps: readonly FaultStep[], targets: FaultTargets): MethodStep[] {
  return steps.map((step, index) => {
    const definition = findFaultDefinition(step.fault);
    if (!definition) throw runErrors.unknownFault(incident, step.fault, faultDefinitions.map((known) => known.name));
    try {
      const fault = definition.create(step.options, targets);
      return { name: `${index + 1}: ${step.fault}`, atMs: step.atMs, durationMs: step.durationMs, fault };
    } catch (error) {
      if (error instanceof FaultOptionError) throw runErrors.badFaultOptions(incident, step.fault, error.message);
      throw error;
    }
  });
}

/**
 * Runs the method beside the load: each fault applied at its time, held, and reverted (all of
 * them at once when the signal aborts or a step fails). Writes the journal and returns it.
 */
export function runFaultTimeline(incident: string, method: MethodStep[], options: { signal: AbortSignal; journalPath: string }): Promise<Journal> {
  return runExperiment({
    title: `${incident}: fault timeline`,
    description: method.map((step) => `${step.fault.description} at ${step.atMs} ms for ${step.durationMs} ms`).join('; ') || 'no faults',
    steadyState: { probes: [] },
    method,
    rollbacks: [],
  }, { signal: options.signal, journalPath: options.journalPath });
}
