import { join } from 'node:path';
import type { Incident } from '../incident.js';
import { type IncidentOutcome, type RunIncidentOptions, runIncident } from './run-incident.js';
import { k6Version } from './run-load-k6.js';
import { type RunStack, startRunStack } from './run-stack.js';
import { type Suite, suiteSettings } from './suite-settings.js';

export interface RunSuiteOptions extends Omit<RunIncidentOptions, 'incident' | 'stack' | 'scale' | 'durationMs' | 'leakGate'> {
  incidents: readonly Incident[];
  /** What each incident runs at where the options below leave it open (suite-settings.ts); default quick. */
  suite?: Suite;
  /** Null or absent: each incident's own in the suite (quick: its quick scale). */
  scale?: number | null;
  /** Null or absent: each incident's own in the suite (quick: its own duration, which its quick scale is sized for). */
  durationMs?: number | null;
  onIncident?: (incident: Incident, index: number) => void;
}

export type SuiteEntry =
  | { incident: Incident; outcome: IncidentOutcome; error: null }
  | { incident: Incident; outcome: null; error: Error };

/**
 * Runs incidents one after another. Without a target they share one embedded stack: each
 * incident's prepare() resets it and restarts only what its needs change (and says so). An
 * incident whose harness fails is recorded and the stack is started afresh for the next one,
 * since a failed revert may have left it broken; an abort stops the suite.
 */
export async function runSuite(options: RunSuiteOptions): Promise<SuiteEntry[]> {
  const say = options.say ?? (() => undefined);
  const entries: SuiteEntry[] = [];
  let stack: RunStack | null = null;
  let starts = 0;
  // Before anything starts: a missing k6 is a clear error, not a stack started for nothing.
  if (options.engine === 'k6') await k6Version(options.stackSettings?.childEnv ?? {});
  try {
    for (const [index, incident] of options.incidents.entries()) {
      if (options.signal?.aborted) break;
      options.onIncident?.(incident, index);
      try {
        if (!options.target && !stack) {
          starts += 1;
          say(starts === 1
            ? 'starting the stack (redis-server, DynamoDB Local, the Bedrock emulator, the proxy), shared by the incidents'
            : 'starting a fresh stack after the failure');
          stack = await startRunStack({
            dir: join(options.outDir, starts === 1 ? 'stack' : `stack-${starts}`), seed: options.seed, timeScale: incident.stack.timeScale,
            childEnv: options.stackSettings?.childEnv ?? {},
            redisCommand: options.stackSettings?.redisCommand, javaCommand: options.stackSettings?.javaCommand,
          });
        }
        const outcome = await runIncident({ ...options, incident, stack, ...suiteSettings(incident, options.suite ?? 'quick', options) });
        entries.push({ incident, outcome, error: null });
      } catch (error) {
        entries.push({ incident, outcome: null, error: error as Error });
        const broken: RunStack | null = stack;
        stack = null;
        await broken?.stop();
      }
    }
  } finally {
    await stack?.stop();
  }
  return entries;
}
