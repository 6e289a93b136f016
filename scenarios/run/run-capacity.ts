import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Incident } from '../incident.js';
import { CAPACITY_FORMAT, type CapacityFile, type CapacityStep, capacityFileName, type QuotaOverrides } from './capacity-file.js';
import { bracketOf, capacityGates } from './capacity-judge.js';
import { planStats, runCapacityStep, type StepResult } from './capacity-step.js';
import { runErrors } from './run-errors.js';
import { type RunStack, stackLoadTarget, startRunStack } from './run-stack.js';
import { generatorProcessName, type NamedProcess, stackProcesses } from './stack-cpu.js';
import { checkTarget } from './target-check.js';
import type { ProgressState } from '../../engine/progress.js';
import type { LoadTarget } from '../../engine/session-plan.js';

export interface RunCapacityOptions {
  incident: Incident;
  /** The offered message rates, lowest first (capacity-judge's stepRates). */
  rates: number[];
  holdMs: number;
  /** Null: one session length of the incident's plans at the model's real speed. */
  warmupMs: number | null;
  seed: number;
  runId: string;
  /** The run folder: capacity.json, and each step's summary.json under steps/. */
  outDir: string;
  /** A deployment we did not start: health-checked first; only the generator's CPU is measured. */
  target?: LoadTarget | null;
  /** A stack already running (a test runs two searches on one); otherwise one is started and stopped. */
  stack?: RunStack | null;
  stackSettings?: { childEnv: NodeJS.ProcessEnv; redisCommand?: string; javaCommand?: string };
  /** The service's workers on the stack (default 2). */
  workers?: number;
  /** Lower the emulator's per-minute quotas, so throttling and the Haiku fallback bite. */
  quotas?: QuotaOverrides;
  signal?: AbortSignal;
  say?: (line: string) => void;
  onStep?: (rate: number, index: number) => void;
  onStepDone?: (step: StepResult) => void;
  onProgress?: (state: ProgressState) => void;
}

const defaultWorkers = 2;

async function setQuotas(stack: RunStack, quotas: QuotaOverrides): Promise<string | null> {
  const body = {
    ...(quotas.sonnetRpm === undefined ? {} : { sonnet: { requestsPerMinute: quotas.sonnetRpm } }),
    ...(quotas.haikuRpm === undefined ? {} : { haiku: { requestsPerMinute: quotas.haikuRpm } }),
  };
  if (Object.keys(body).length === 0) return null;
  const response = await fetch(`${stack.endpoints.bedrock.admin}/quotas`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`the Bedrock emulator refused the quotas (${response.status}: ${await response.text()})`);
  return `the Bedrock emulator's quotas lowered: ${Object.entries(body).map(([family, limit]) => `${family} ${limit.requestsPerMinute} requests/min`).join(', ')}`;
}

/** The stack prepared for the search (the incident's settings, the model at real speed), or the target checked. */
async function reach(options: RunCapacityOptions, say: (line: string) => void): Promise<{ target: LoadTarget; stack: RunStack | null; owned: boolean }> {
  if (options.target) {
    say(`checking the target ${options.target.http}`);
    await checkTarget(options.target);
    return { target: options.target, stack: null, owned: false };
  }
  let stack = options.stack ?? null;
  const owned = stack === null;
  if (!stack) {
    say('starting the stack (redis-server, DynamoDB Local, the Bedrock emulator, the proxy, the service)');
    stack = await startRunStack({
      dir: join(options.outDir, 'stack'), seed: options.seed, timeScale: 1, childEnv: options.stackSettings?.childEnv ?? {},
      redisCommand: options.stackSettings?.redisCommand, javaCommand: options.stackSettings?.javaCommand,
    });
  }
  try {
    const needs = { ...options.incident.stack, timeScale: 1, workers: options.workers ?? defaultWorkers };
    for (const line of await stack.prepare(needs, { profile: 'hardened', naive: [] })) say(line);
    const quotas = await setQuotas(stack, options.quotas ?? {});
    if (quotas) say(quotas);
    return { target: stackLoadTarget(stack), stack, owned };
  } catch (error) {
    if (owned) await stack.stop();
    throw error;
  }
}

function notesFor(options: RunCapacityOptions, stack: RunStack | null): string[] {
  const notes = [
    `CPU: "${generatorProcessName}" is the gameday process itself; the load engine shares it with the progress line and the CPU readings.`,
  ];
  if (!stack) notes.push('against a --target only the generator\'s CPU is measured; the service\'s processes are not ours to read');
  if (options.incident.faults(options.incident.quickScale, options.incident.defaultDurationMs).length > 0) {
    notes.push(`${options.incident.id}'s fault timeline is not injected: capacity runs its sessions alone`);
  }
  return notes;
}

/**
 * `gameday capacity`: raises the offered message rate step by step (open model on messages:
 * sessions arrive at rate ÷ the plans' mean turns per session), each step a plateau judged past
 * its warm-up, until one breaks a gate or the generator saturates; writes capacity.json after
 * every step (finished once the search ends). Harness failures throw; a broken step is a result.
 */
export async function runCapacity(options: RunCapacityOptions): Promise<CapacityFile> {
  const say = options.say ?? (() => undefined);
  const { incident } = options;
  const signal = options.signal ?? new AbortController().signal;
  const stats = planStats(incident.session, options.seed);
  const warmupMs = options.warmupMs ?? stats.meanSessionMs;
  mkdirSync(options.outDir, { recursive: true });
  const reached = await reach(options, say);
  const { target, stack } = reached;
  const file: CapacityFile = {
    format: CAPACITY_FORMAT, runId: options.runId, incident: incident.id, title: incident.title,
    target: options.target ? options.target.http : 'embedded stack', seed: options.seed, startedAt: Date.now(), endedAt: Date.now(), finished: false,
    settings: {
      rates: options.rates, holdMs: options.holdMs, warmupMs, windowMs: 10_000, workers: stack ? options.workers ?? defaultWorkers : null,
      quotas: options.quotas ?? {}, timeScale: 1, ...stats,
    },
    gates: capacityGates, steps: [], bracket: { ...bracketOf([]), busiest: null }, notes: notesFor(options, stack),
  };
  const path = join(options.outDir, capacityFileName);
  const write = () => {
    const judged = file.steps.map((step) => ({ rate: step.rate, judgement: step.judgement }));
    const bracket = bracketOf(judged);
    const last = file.steps.at(-1);
    const busiest = last && last.judgement.verdict !== 'held' && last.cpu[0] ? { ...last.cpu[0], rate: last.rate } : null;
    file.bracket = { ...bracket, busiest };
    file.endedAt = Date.now();
    writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
  };
  const processes = (): NamedProcess[] => (stack ? stackProcesses(stack.processes, stack.endpoints) : []);
  try {
    for (const [index, rate] of options.rates.entries()) {
      if (signal.aborted) throw runErrors.interrupted();
      options.onStep?.(rate, index);
      const dir = join(options.outDir, 'steps', `${String(index + 1).padStart(2, '0')}-${rate}-msg-per-s`);
      // The same seed at every step: the same session plans, only the rate differs.
      const step = await runCapacityStep({
        rate, holdMs: options.holdMs, warmupMs, sessions: incident.session, stats, seed: options.seed, target, processes, dir, signal,
        extra: { incident: incident.id, title: incident.title, capacityRun: options.runId, target: file.target, seed: options.seed },
        onProgress: options.onProgress,
      });
      if (signal.aborted) throw runErrors.interrupted();
      const { summaryPath, ...kept } = step;
      file.steps.push({ ...kept, summary: relative(options.outDir, summaryPath) } satisfies CapacityStep);
      write();
      options.onStepDone?.(step);
      if (step.judgement.verdict !== 'held') break;
    }
    file.finished = true;
    write();
    return file;
  } finally {
    if (reached.owned) await stack?.stop();
  }
}
