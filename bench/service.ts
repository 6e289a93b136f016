/**
 * The orchestrator's CPU per message against a floor, and its added latency, in one run on this
 * machine: real redis-server and DynamoDB Local, the Bedrock emulator, the service fleet and the
 * floor server each in a process of their own (so no one's CPU is another's), WebSocket chat load
 * (protocol v1) from this process.
 *
 *   npm run bench:service -- [--duration 30] [--workers 2] [--time-scale 0.1] [--step 20] [--step-seconds 30]
 *                            [--max-rate 1000] [--think-ms 1000] [--warmup-seconds 30] [--messages-per-session 16]
 *                            [--knee N] [--dynamodb-full-jit]
 *
 * --workers is the service fleet's worker processes; the load comes from this one process. With
 * the defaults a run takes about 5 minutes on 2 cores; --step-seconds, --duration and
 * --warmup-seconds shorten it (e.g. 10 each with --max-rate 30 for a smoke run).
 *
 * The load: open-model arrivals (messages go out on an even schedule whatever the answers do);
 * sessions send, wait for `done`, think (--think-ms on average), send again, and are replaced
 * after --messages-per-session messages, long enough for the context window (the first exchange
 * and 10 turns) to slide, so the later turns of every session are summarised as in production.
 *
 * 1. The highest rate the service holds: after a warm-up at the first step, steps of --step
 *    msg/s until p95 TTFT reaches 3 s, errors pass 1% or this generator falls behind.
 * 2. At half that rate (or half --knee, the knee `gameday capacity` found), the floor and then the
 *    service, each with a fresh load pool of the same settings and seed: a warm-up, then one phase.
 *    Printed:
 *    - CPU per acknowledged message of the server (the service's primary and workers; the
 *      floor's one process), their ratio against the target (≤ 1.5x), and beside it each part
 *      of the local stack (DynamoDB Local, the emulator, redis-server, this generator) and the
 *      whole stack's. No proxies sit on the dependency paths here.
 *    - the summaries each made per message (the emulator's non-streaming calls), so the two
 *      workloads can be seen to be the same.
 *    - the ADDED latency per message: client TTFT (send -> first chunk) minus the emulator's own
 *      TTFT (request arrival -> first token written) for the model call behind that message,
 *      p50/p95/p99, against the target (service p95 < 30 ms at that rate).
 *
 * The floor (bench/floor-server.ts) makes only the dependency calls a hardened turn must make:
 * the strongly consistent META read beside the Redis read of the session copy, the model stream
 * read to its end with one WebSocket frame per delta, the exchange's DynamoDB transaction, the
 * SET that keeps the copy current, and after `done`, once the window slides, the Haiku summary
 * and its save transaction; with clients from the service's own construction code.
 *
 * Matching a message to its model call: the service never shows a client the Bedrock request
 * id, and time order is not enough (several calls start within one TTFT). But `done` carries the
 * usage Bedrock reported, and the emulator records the same input and output token counts: a
 * call with both counts equal, which arrived after the send and wrote its first token before the
 * client read one, is that message's call. Messages with no such call or several are counted and
 * left out, never guessed (bench/service-stats.ts).
 *
 * The emulator runs at a small time scale so the model's latency does not hide the service's.
 * --dynamodb-full-jit runs DynamoDB Local with C2 as well as C1 (the stack runs C1 only), to
 * compare their CPU after warm-up. Exits non-zero only if something crashed (130 on Ctrl-C),
 * never for a missed target.
 */
import { readFileSync } from 'node:fs';
import { startBedrockProcess, type RunningBedrockProcess } from '../stack/bedrock-process.js';
import { seededRandom } from '../stack/random.js';
import { inheritedEnv } from '../test/config.js';
import { type ServiceDeps, startServiceDeps } from '../test/service-deps.js';
import { type RunningFleet, startFleet } from '../test/service-fleet.js';
import { type RunningFloor, startFloorProcess } from './floor-process.js';
import type { FloorStats } from './floor-turns.js';
import { flag, option, optionalOption } from './options.js';
import {
  addedTargetLine, ceilingLine, comparisonRate, comparisonTable, cpuPerMessage, cpuTargetLine, summaryParityNote,
} from './service-floor.js';
import { createLoadPool, type LoadPool } from './service-load.js';
import { type MeasuredPhase, type PhaseTarget, phaseRunner } from './service-phase.js';
import { addedLine, printPhase, printSteps, type StepOutcome } from './service-report.js';
import { RecordCollector } from './service-stats.js';

const ttftSloMs = 3_000;
const maxErrorRate = 0.01;
// A generator that sends this late is measuring itself, not the service.
const maxGeneratorLagP95Ms = 250;

const settings = {
  durationMs: option('duration', 30) * 1_000,
  workers: Math.round(option('workers', 2)),
  timeScale: option('time-scale', 0.1),
  // Steps of 20 find a knee of 80 msg/s in five; of 10, in nine (7.5 min with the phases after them).
  step: option('step', 20),
  // A step must last long enough to build the 3 s backlog it is judged by; 6 s steps overstated the rate.
  stepMs: option('step-seconds', 30) * 1_000,
  maxRate: option('max-rate', 1_000),
  thinkMs: option('think-ms', 1_000),
  // DynamoDB Local's JIT needs 20-30 s; a shorter warm-up leaves compilation in the measured phase. The
  // floor's warm-up also brings its fresh sessions to the service's mix of early and summarised turns.
  warmupMs: option('warmup-seconds', 30) * 1_000,
  messagesPerSession: Math.round(option('messages-per-session', 16)),
  knee: optionalOption('knee'),
  dynamodbJit: flag('dynamodb-full-jit') ? 'full' as const : 'c1' as const,
};

/** The service's distinct error-level log messages, so a failed step says why without keeping its log. */
function serviceErrors(logPath: string, limit: number): string[] {
  try {
    const lines = readFileSync(logPath, 'utf8').split('\n').filter((line) => line.includes('"level":50'));
    const messages = lines.map((line) => {
      const entry = JSON.parse(line) as { code?: string; msg?: string };
      return `${entry.code ?? 'no code'}: ${(entry.msg ?? '').slice(0, 160)}`;
    });
    return [...new Set(messages)].slice(0, limit);
  } catch {
    return [];
  }
}

interface Running { deps?: ServiceDeps; bedrock?: RunningBedrockProcess; fleet?: RunningFleet; floor?: RunningFloor; pools: LoadPool[] }

async function startAll(running: Running, signal: AbortSignal) {
  const interrupted = () => { if (signal.aborted) throw new Error('interrupted'); };
  console.log(`starting redis-server and DynamoDB Local (${settings.dynamodbJit === 'full' ? 'full JIT' : 'C1 only'}) …`);
  const deps = running.deps = await startServiceDeps({ dynamodb: { jit: settings.dynamodbJit } });
  interrupted();
  console.log(`starting the Bedrock emulator (time scale ${settings.timeScale}) …`);
  const bedrock = running.bedrock = await startBedrockProcess({ dir: deps.tempDir('gameday-bench-bedrock-'), seed: 1, timeScale: settings.timeScale });
  // The default quotas would throttle the step search; throttling is a chaos step, not what this measures.
  const unlimited = { requestsPerMinute: 1e12, tokensPerMinute: 1e12 };
  const quotas = await fetch(`${bedrock.admin}/quotas`, { method: 'PUT', body: JSON.stringify({ sonnet: unlimited, haiku: unlimited }) });
  if (!quotas.ok) throw new Error(`raising the emulator's quotas answered ${quotas.status}`);
  interrupted();
  console.log(`starting the service fleet (${settings.workers} workers) and the floor server …`);
  const [fleet, floor] = await Promise.all([
    startFleet(deps, bedrock.endpoint, { workers: settings.workers }).then((started) => (running.fleet = started)),
    startFloorProcess({
      dir: deps.tempDir('gameday-bench-floor-'), redisUrl: deps.redis.url, dynamodbEndpoint: deps.dynamodb.endpoint,
      table: deps.table, bedrockEndpoint: bedrock.endpoint, env: inheritedEnv,
    }).then((started) => (running.floor = started)),
  ]);
  interrupted();
  // The same seed for every pool: the floor is asked the same questions in the same order as the service.
  const newPool = (server: { baseUrl: string; wsUrl: string }) => {
    const created = createLoadPool({
      baseUrl: server.baseUrl, wsUrl: server.wsUrl, random: seededRandom(1), thinkMs: settings.thinkMs,
      turnsPerSession: settings.messagesPerSession, turnTimeoutMs: 30_000,
    });
    running.pools.push(created);
    return created;
  };
  return { deps, bedrock, fleet, floor, newPool };
}

async function stopAll(running: Running): Promise<void> {
  const steps: Array<[string, (() => Promise<void>) | undefined]> = [
    ...running.pools.map((pool): [string, () => Promise<void>] => ['load', pool.close]),
    ['service', running.fleet?.stop], ['floor', running.floor?.stop], ['emulator', running.bedrock?.stop], ['redis and DynamoDB', running.deps?.stop],
  ];
  for (const [what, stop] of steps) {
    try {
      await stop?.();
    } catch (error) {
      console.error(`stopping the ${what} failed: ${(error as Error).message}`);
    }
  }
}

function stepReasons(step: MeasuredPhase): string[] {
  const { summary } = step;
  return [
    ...(summary.clientTtft.p95 >= ttftSloMs || summary.clientTtft.count === 0 ? [`p95 TTFT ≥ ${ttftSloMs} ms`] : []),
    ...(summary.errorRate > maxErrorRate ? [`errors > ${maxErrorRate * 100}%`] : []),
    ...(summary.generatorLag.p95 > maxGeneratorLagP95Ms ? ['this generator fell behind its schedule'] : []),
  ];
}

async function main(signal: AbortSignal, running: Running): Promise<void> {
  const { bedrock, fleet, floor, deps, newPool } = await startAll(running, signal);
  const collector = new RecordCollector(bedrock.admin);
  const run = phaseRunner({ collector, thinkMs: settings.thinkMs, signal, progress: (line) => console.log(line) });
  const stackPids = () => ({ dynamodb: [deps.dynamodb.pid], emulator: [bedrock.pid], redis: [deps.redis.pid] });
  const servicePids = () => ({ server: [fleet.primaryPid, ...fleet.workers()], ...stackPids() });
  const floorPids = () => ({ server: [floor.pid], ...stackPids() });

  // The JITs of the service and DynamoDB Local warm up, and sessions reach their mix of early and summarised turns.
  const search: PhaseTarget = { pool: newPool(fleet), pids: servicePids };
  await run(search, { label: 'warm-up', rate: settings.step, durationMs: settings.warmupMs });
  const steps: StepOutcome[] = [];
  for (let rate = settings.step; rate <= settings.maxRate; rate += settings.step) {
    const step = await run(search, { label: `step ${rate} msg/s`, rate, durationMs: settings.stepMs });
    steps.push({ rate, summary: step.summary, reasons: stepReasons(step) });
    if (steps.at(-1)?.reasons.length) break;
  }
  // Its sessions, many opened on demand in the step that broke, are mostly young: measured with them, the
  // service made 0.27 summaries per message against the floor's 0.63.
  await search.pool.close();
  const highestHeld = steps.filter((step) => step.reasons.length === 0).at(-1)?.rate;
  const { rate, basis } = comparisonRate({ knee: settings.knee, highestHeld, firstStep: settings.step });
  // Both the same way, each with a pool of its own: a warm-up at the rate (the sessions reach their mix of turns), then
  // the phase. The floor first, so the service is measured furthest from the step that broke it.
  // `atEdges` runs just before and just after the measured phase.
  const measure = async (name: string, target: PhaseTarget, atEdges: () => Promise<void> = async () => undefined) => {
    await run(target, { label: `${name} warm-up`, rate, durationMs: settings.warmupMs });
    await atEdges();
    const measured = await run(target, { label: `${name} at ${rate} msg/s`, rate, durationMs: settings.durationMs });
    await atEdges();
    await target.pool.close();
    return measured;
  };
  const floorStats = [] as FloorStats[];
  const floorAt = await measure('floor', { pool: newPool(floor), pids: floorPids }, async () => { floorStats.push(await floor.stats()); });
  const serviceAt = await measure('service', { pool: newPool(fleet), pids: servicePids });
  const [floorBefore, floorAfter] = floorStats as [FloorStats, FloorStats];

  console.log(`\nOrchestrator service against its floor: ${settings.workers} workers, loopback, emulator time scale ${settings.timeScale}`
    + ` (every modelled time x${settings.timeScale}, so the model's latency does not hide the service's),`
    + ` DynamoDB Local ${settings.dynamodbJit === 'full' ? 'with the full JIT (C1 and C2)' : 'with C1 only'} and SerialGC,`
    + ` sessions of ${settings.messagesPerSession} messages`);
  printSteps({ steps, stepMs: settings.stepMs, ttftSloMs, maxErrorRate, maxRate: settings.maxRate });
  const phaseInput = { rate, durationMs: settings.durationMs, recordsMissed: collector.missed };
  const serviceLatency = printPhase({ ...phaseInput, title: `service (${basis})`, who: 'the service', summary: serviceAt.summary });
  const floorLatency = printPhase({ ...phaseInput, title: 'floor, same rate and workload', who: 'the floor', summary: floorAt.summary });

  const serviceCpu = cpuPerMessage(serviceAt.cpu, serviceAt.summary.answered);
  const floorCpu = cpuPerMessage(floorAt.cpu, floorAt.summary.answered);
  // The floor's one event loop queues what the service spreads over its workers: its latency reads high for that.
  const busy = (cpu: Record<string, number>) => `${(((cpu.server ?? 0) / settings.durationMs) * 100).toFixed(0)}% of a core`;
  console.log(`\nAt ${rate} msg/s (${basis}); the server is the service's primary and ${settings.workers} workers`
    + ` (together ${busy(serviceAt.cpu)}), or the floor's one process (${busy(floorAt.cpu)})`);
  const names: Array<[string, string]> = [
    ['server', 'the server measured'],
    ['dynamodb', `DynamoDB Local (${settings.dynamodbJit === 'full' ? 'full JIT' : 'C1 only'})`],
    ['emulator', 'Bedrock emulator'],
    ['redis', 'redis-server'],
    ['generator', 'generator (this process)'],
  ];
  const compared = { service: { cpu: serviceCpu, summaryCalls: serviceAt.summaryCalls }, floor: { cpu: floorCpu, summaryCalls: floorAt.summaryCalls } };
  for (const line of comparisonTable(compared.service, compared.floor, names)) console.log(line);
  const parity = summaryParityNote(compared.service, compared.floor);
  if (parity) console.log(parity);
  console.log('proxies on the dependency paths: none in this bench (both servers reach redis, DynamoDB Local and the emulator directly)');
  console.log(`the floor over its phase: ${floorAfter.turns - floorBefore.turns} turns, ${floorAfter.copyMisses - floorBefore.copyMisses}`
    + ` read DynamoDB instead of the Redis copy, ${floorAfter.summaries - floorBefore.summaries} summaries saved`
    + ` (${floorAfter.failedSummaries - floorBefore.failedSummaries} failed)`);
  console.log(ceilingLine(serviceCpu, floorCpu));
  console.log(addedLine('the service', rate, serviceLatency));
  console.log(addedLine('the floor', rate, floorLatency));
  console.log(`highest rate held: ${highestHeld === undefined ? 'none of the steps' : `${highestHeld} msg/s`}`);
  console.log(cpuTargetLine(serviceCpu.server, floorCpu.server));
  console.log(addedTargetLine(serviceLatency.added, rate, basis));
  const errors = serviceErrors(fleet.logPath, 5);
  if (errors.length > 0) console.log(`\nthe service logged errors, e.g.:\n  ${errors.join('\n  ')}`);
}

const stopping = new AbortController();
const running: Running = { pools: [] };
let exitCode = 0;
const interrupt = (signalName: string) => {
  if (stopping.signal.aborted) return;
  console.log(`\n${signalName}: stopping the load and every process started …`);
  exitCode = 130;
  stopping.abort();
  for (const pool of running.pools) void pool.close();
};
process.once('SIGINT', () => interrupt('SIGINT'));
process.once('SIGTERM', () => interrupt('SIGTERM'));

try {
  await main(stopping.signal, running);
} catch (error) {
  if (!stopping.signal.aborted) {
    console.error(error);
    exitCode = 1;
  }
} finally {
  await stopAll(running);
}
process.exit(exitCode);
