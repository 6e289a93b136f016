import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { faultNames, type FaultStep, type Incident, type IncidentId, shapeOf } from '../incident.js';
import { faultMethod, faultTargetsFor, runFaultTimeline } from './fault-timeline.js';
import { startStackSampler } from './stack-sampler.js';
import { fleetWorkerPids, leakGate } from './worker-memory.js';
import { runErrors } from './run-errors.js';
import { type RunStack, type ServiceChoice, type StackForIncidents, stackLoadTarget, startRunStack } from './run-stack.js';
import { runBuiltinLoad, type LoadRun } from './run-load-builtin.js';
import { k6Version, runK6Load } from './run-load-k6.js';
import { checkTarget } from './target-check.js';
import type { Journal } from '../../chaos/experiments/journal.js';
import { type AuditResult, auditSessions } from '../../engine/audit.js';
import type { ProgressState } from '../../engine/progress.js';
import type { GeneratorHealth } from '../../engine/self-monitor.js';
import { type Evidence, judgeEvidence, type OfferedVersusAchieved } from '../../engine/load-evidence.js';
import { describeRealTime, scaleLatencyThresholds } from '../../engine/latency-scale.js';
import type { LoadTarget } from '../../engine/session-plan.js';
import type { ThresholdResult, ThresholdSpec } from '../../engine/thresholds.js';

export type RunProfile = 'hardened' | 'naive';
export type RunEngine = 'builtin' | 'k6';

export interface RunIncidentOptions {
  incident: Incident;
  profile: RunProfile;
  /** With profile naive: only these switches over the hardened service (default: the whole naive profile). */
  naive?: string[];
  scale: number;
  durationMs: number;
  /** One of the incident's shapes; absent: its default. */
  shape?: string | null;
  seed: number;
  engine: RunEngine;
  /** A deployment we did not start (`--target`): health-checked first; no faults, no audit. */
  target?: LoadTarget | null;
  /** A stack already running (shared by several runs); without it and without a target, one is started and stopped. */
  stack?: StackForIncidents | null;
  /** For the stack this run starts itself. */
  stackSettings?: { childEnv: NodeJS.ProcessEnv; redisCommand?: string; javaCommand?: string };
  /** More faults on the incident's timeline, e.g. the model made slower than the SLO. */
  extraFaults?: FaultStep[];
  /** Send the load without the fault timeline (someone else injects the faults, e.g. against a target). */
  skipFaults?: boolean;
  /** The nightly suite's leak gate: each worker's resident memory may not grow 10 % after warm-up (worker-memory.ts). */
  leakGate?: boolean;
  /** The run folder; this run writes into `<outDir>/<incident>-<profile>/`. */
  outDir: string;
  signal?: AbortSignal;
  /** Lines for people (what is started, what changes, warnings). */
  say?: (line: string) => void;
  onProgress?: (state: ProgressState) => void;
  /** The bundled k6 scripts (engine k6); default scenarios/k6/dist. */
  k6ScriptDir?: string;
}

/** A threshold the run could not judge, and why (e.g. the audit needs the store, which a --target hides). */
export interface NotEvaluated {
  metric: string;
  expression: string;
  reason: string;
  /** Set where the model's time scale is why (a latency threshold too small to judge there). */
  timeScale?: number;
}

export interface IncidentOutcome {
  incident: IncidentId;
  profile: RunProfile;
  naive: string[];
  scale: number;
  durationMs: number;
  /** The load shape run (undefined: the incident has one). */
  shape?: string;
  /** The model's time scale the latency thresholds were judged at (1: real time). */
  timeScale: number;
  thresholds: ThresholdResult[];
  notEvaluated: NotEvaluated[];
  /** Every evaluated threshold held. */
  passed: boolean;
  /** Whether the run offered the load it claims (plateau achieved ≥ 95 % of offered, generator not saturated): if not, it exits 1. */
  evidence: Evidence;
  /** Offered against achieved messages per window and on the plateau; null when the engine cannot tell. */
  offered: OfferedVersusAchieved | null;
  summaryPath: string;
  audit: AuditResult | { skipped: string };
  generator: GeneratorHealth | null;
  /** The fault timeline's journal; null when the run injected none. */
  faults: Journal | null;
}

/** The metrics only the end-of-run audit of the store can measure. */
const auditMetrics = ['session_turns_lost', 'session_turns_duplicated'];

function expressions(spec: ThresholdSpec): string {
  return typeof spec === 'string' ? spec : spec.threshold;
}

function splitThresholds(thresholds: Record<string, ThresholdSpec[]>, unjudged: string[], reason: string):
  { judged: Record<string, ThresholdSpec[]>; notEvaluated: NotEvaluated[] } {
  const judged: Record<string, ThresholdSpec[]> = {};
  const notEvaluated: NotEvaluated[] = [];
  for (const [metric, specs] of Object.entries(thresholds)) {
    if (unjudged.includes(metric)) notEvaluated.push(...specs.map((spec) => ({ metric, expression: expressions(spec), reason })));
    else judged[metric] = specs;
  }
  return { judged, notEvaluated };
}

function serviceChoice(profile: RunProfile, naive: string[] | undefined): ServiceChoice {
  if (profile === 'hardened' || !naive || naive.length === 0) return { profile, naive: [] };
  return { profile: 'hardened', naive };
}

/** Aborts when the caller's signal does, or when this run gives up on its own (a failed load stops the faults). */
function linkedController(signal: AbortSignal | undefined): { controller: AbortController; unlink(): void } {
  const controller = new AbortController();
  const forward = () => controller.abort();
  if (signal?.aborted) controller.abort();
  signal?.addEventListener('abort', forward, { once: true });
  return { controller, unlink: () => signal?.removeEventListener('abort', forward) };
}

type Where = { target: LoadTarget; stack: StackForIncidents | null; owned: RunStack | null };

/** The target health-checked, or the stack (given, or started here) brought to what the incident needs. */
async function reach(options: RunIncidentOptions, service: ServiceChoice, runDir: string, say: (line: string) => void): Promise<Where> {
  if (options.target) {
    say(`checking the target ${options.target.http}`);
    await checkTarget(options.target);
    const settings = Object.entries(options.incident.stack.serviceEnv ?? {}).map(([key, value]) => `${key}=${value}`);
    if (settings.length > 0) say(`NOTE: the target keeps its own settings; this incident's time-compressed ${settings.join(' ')} are not applied`);
    return { target: options.target, stack: null, owned: null };
  }
  let owned: RunStack | null = null;
  if (!options.stack) {
    say('starting the stack (redis-server, DynamoDB Local, the Bedrock emulator, the proxy)');
    owned = await startRunStack({
      dir: join(runDir, 'stack'), seed: options.seed, timeScale: options.incident.stack.timeScale,
      childEnv: options.stackSettings?.childEnv ?? {},
      redisCommand: options.stackSettings?.redisCommand, javaCommand: options.stackSettings?.javaCommand,
    });
  }
  const stack = options.stack ?? (owned as RunStack);
  try {
    for (const line of await stack.prepare(options.incident.stack, service)) say(line);
    return { target: stackLoadTarget(stack), stack, owned };
  } catch (error) {
    await owned?.stop();
    throw error;
  }
}

interface Audited {
  audit: AuditResult | { skipped: string };
  counters: Record<string, number>;
  /** The load counted lost and duplicated turns itself (the k6 scripts read each session's history over the API). */
  countedByLoad?: boolean;
}

/** The end-of-run audit of the store, when this run can read it; its findings become counters. */
async function audit(stack: StackForIncidents | null, load: LoadRun): Promise<Audited> {
  if (!load.sessions) {
    return {
      audit: { skipped: 'k6 does not report the sessions it ran, so the store was not audited: session_turns_lost and _duplicated are the k6 script\'s own counts, from each session\'s history over the API (GET /v1/sessions/{id}/turns)' },
      counters: {}, countedByLoad: true,
    };
  }
  if (!stack) return { audit: { skipped: 'a --target gives no access to its DynamoDB table, so the store cannot be audited' }, counters: {} };
  const { dynamodb } = stack.endpoints;
  const result = await auditSessions({
    dynamodbEndpoint: dynamodb.endpoint, table: dynamodb.table, region: dynamodb.region, signingSecret: stack.signingSecret, sessions: load.sessions,
  });
  return { audit: result, counters: { session_turns_lost: result.turnsLost, session_turns_duplicated: result.turnsDuplicated } };
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/**
 * One incident, one profile: starts what it needs (or uses the stack or target given), runs the
 * load and, beside it, the fault timeline (every fault reverted, also on abort or failure), audits
 * the store, evaluates the gates and writes summary.json (k6's shape plus ours) into the run folder.
 * Harness failures throw (a RunError says what); a failed gate is an outcome with passed false.
 */
export async function runIncident(options: RunIncidentOptions): Promise<IncidentOutcome> {
  const { incident, profile, scale, durationMs, seed } = options;
  const say = options.say ?? (() => undefined);
  const childEnv = options.stackSettings?.childEnv ?? {};
  const service = serviceChoice(profile, options.naive);
  const runDir = join(options.outDir, `${incident.id}-${profile}`);
  const shape = shapeOf(incident, options.shape);
  mkdirSync(runDir, { recursive: true });
  // Before anything starts: a missing k6 is a clear error, not a stack started for nothing.
  if (options.engine === 'k6') await k6Version(childEnv);
  const { controller: control, unlink } = linkedController(options.signal);
  let owned: RunStack | null = null;
  try {
    const reached = await reach(options, service, runDir, say);
    const { target, stack } = reached;
    owned = reached.owned;
    if (control.signal.aborted) throw runErrors.interrupted();
    // A deployment's model runs at its real speed: thresholds are judged as written there.
    const timeScale = options.target ? 1 : incident.stack.timeScale ?? 1;
    const timeline = [...incident.faults(scale, durationMs), ...(options.extraFaults ?? [])];
    const steps = options.skipFaults ? [] : timeline;
    if (!stack && steps.length > 0) throw runErrors.faultsNeedStack(incident.id);
    const method = stack && steps.length > 0 ? faultMethod(incident.id, steps, faultTargetsFor(stack.endpoints)) : [];
    if (options.skipFaults && timeline.length > 0) say(`NOTE: --skip-faults: the timeline's faults (${faultNames(timeline).join(', ')}) not injected; the gate judges the load alone`);
    if (method.length > 0) say(`faults: ${method.map((step) => `${step.fault.description} at ${seconds(step.atMs)} for ${seconds(step.durationMs)}`).join('; ')}`);
    const journalPath = join(runDir, 'journal.json');
    const sampler = stack ? startStackSampler(stack.endpoints.redis.url, undefined, fleetWorkerPids(stack.endpoints)) : null;
    const faultsDone = method.length > 0 ? runFaultTimeline(incident.id, method, { signal: control.signal, journalPath }) : null;

    let load: LoadRun;
    try {
      const loadOptions = { incident, scale, durationMs, shape, timeScale, seed, target, signal: control.signal, onProgress: options.onProgress };
      load = options.engine === 'k6'
        ? await runK6Load({ ...loadOptions, profile, runDir, scriptDir: options.k6ScriptDir, childEnv })
        : await runBuiltinLoad(loadOptions);
    } catch (error) {
      control.abort();
      await Promise.all([faultsDone, sampler?.stop()]);
      throw error;
    }
    const journal = faultsDone ? await faultsDone : null;
    const samples = sampler ? await sampler.stop() : null;
    if (options.signal?.aborted) throw runErrors.interrupted();
    if (journal && journal.status !== 'completed') throw runErrors.faultsFailed(incident.id, journal.error ?? journal.status, journalPath);

    const audited = await audit(stack, load);
    const skipped = 'skipped' in audited.audit ? audited.audit.skipped : null;
    const scaled = scaleLatencyThresholds(incident.thresholds, timeScale, incident.realTimeLane);
    const { judged, notEvaluated: unaudited } = splitThresholds(scaled.judged, skipped && !audited.countedByLoad ? auditMetrics : [], skipped ?? '');
    const memory = options.leakGate ? leakGate(samples?.series ?? null) : null;
    const notEvaluated = [...scaled.unjudged, ...unaudited, ...(memory?.notEvaluated ?? [])];
    for (const each of scaled.scaled) say(`time compression: ${each.metric} ${describeRealTime(each)}`);
    const evidence = judgeEvidence(load.offered, load.generator);
    for (const reason of evidence.reasons) say(`NOT EVIDENCE: ${incident.id}: ${reason}`);
    // Our part of summary.json (its `gameday` key); the summary adds the engine, the results and the metrics.
    const { results: thresholds, summary } = load.judge({ ...judged, ...memory?.thresholds }, { ...audited.counters, ...memory?.counters }, {
      incident: incident.id, title: incident.title, profile, naive: service.naive, scale, durationMs, shape, timeScale, seed, evidence, load: load.offered,
      target: options.target ? options.target.http : 'embedded stack', timeCompression: incident.timeCompression,
      audit: audited.audit, generator: load.generator, faults: journal, faultsSkipped: options.skipFaults ? timeline : [], samples, notEvaluated, errorExamples: load.errorExamples,
    });
    for (const result of thresholds) {
      const realTime = scaled.scaled.find((each) => each.metric === result.metric && each.judged === result.expression);
      if (realTime) result.realTime = { real: realTime.real, judged: realTime.judged, timeScale };
    }
    const summaryPath = join(runDir, 'summary.json');
    writeFileSync(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
    return {
      incident: incident.id, profile, naive: service.naive, scale, durationMs, ...(shape ? { shape } : {}), timeScale, thresholds, notEvaluated,
      passed: thresholds.every((result) => result.ok), evidence, offered: load.offered,
      summaryPath, audit: audited.audit, generator: load.generator, faults: journal,
    };
  } finally {
    unlink();
    await owned?.stop();
  }
}
