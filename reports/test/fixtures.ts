import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Journal } from '../../chaos/experiments/journal.js';
import { perModel, turnCostUsd } from '../../engine/llm-cost.js';
import { chatMetrics, type MetricDefinition, RunMetrics } from '../../engine/metrics/run-metrics.js';
import { judgeGeneratorHealth } from '../../engine/self-monitor.js';
import { fromK6Summary, type K6Summary, toK6Summary } from '../../engine/summary.js';
import { evaluateThresholds, type ThresholdSpec } from '../../engine/thresholds.js';

/** Summaries made by the real engine code (RunMetrics, evaluateThresholds, toK6Summary), small and exact. */
export const fixtureStart = 1_800_000_000_000;
export const fixtureRunMs = 30_000;
export const fixtureSessions = 30;
/** One turn every 100 ms: 100 per 10 s window, 300 in the run. */
export const fixtureTurns = 300;
export const inputTokensPerTurn = 100;
export const outputTokensPerTurn = 20;

/** Payload-like junk a summary may carry: JP, emoji with ZWJ, markup, quotes, a control character. */
export const junk = 'メッセージが長すぎます 👩‍👩‍👧 <script>alert("x")</script> & \'q\' \u0007 <b>';

const metricDefinitions: MetricDefinition[] = [
  ...chatMetrics.filter((definition) => definition.name !== 'ws_open_sockets'),
  { name: 'ws_open_sockets', type: 'gauge' },
];

export const fixtureThresholds: Record<string, ThresholdSpec[]> = {
  chat_ttft: ['p(95)<3000', { threshold: 'p(95)<3000', window: '10s' }],
  chat_errors: ['rate<0.01'],
  session_context_lost: ['count==0'],
  chat_messages: ['count>0'],
};

export interface FixtureOptions {
  incident?: string;
  profile?: 'hardened' | 'naive';
  naive?: string[];
  /**
   * The p95 TTFT of window 0, 1 and 2, in ms: of each window's 100 turns 90 take half of it,
   * 8 take it and 2 take one and a half times it, so p50, p95 and max all differ.
   */
  ttftP95ByWindowMs?: [number, number, number];
  /** Turns that end in an error (the first ones). */
  errors?: number;
  contextLost?: number;
  /** A task-kill step in the chaos journal, 5–20 s, killing every 8 s. */
  faults?: boolean;
  /** gameday.samples (Redis INFO) as the coordinator adds them. */
  samples?: boolean;
  /** Thresholds of the audit reported as not evaluated (a --target run). */
  notEvaluated?: boolean;
  title?: string;
  errorExamples?: string[];
}

function journal(): Journal {
  const at = (ms: number) => new Date(fixtureStart + ms).toISOString();
  return {
    title: 'task-kill: fault timeline', description: 'task-kill SIGKILL 1 every 8000 ms', status: 'completed', deviated: false,
    start: at(0), end: at(21_000), durationMs: 21_000, steadyStateBefore: { met: true, probes: [] }, steadyStateAfter: { met: true, probes: [] },
    method: [{
      name: '1: task-kill', fault: 'task-kill SIGKILL 1 of the fleet\'s workers every 8000 ms', atMs: 5_000, durationMs: 15_000,
      start: at(5_000), end: at(20_000), outcome: 'succeeded', error: null,
      applied: { signal: 'SIGKILL', fleetSize: 2, killed: '101', kills: 1, everyMs: 8000 },
      reverted: { signal: 'SIGKILL', rounds: 2, kills: 2, killed: '101,102', replaced: true },
    }],
    rollbacks: [], error: null,
  };
}

/** A built-in engine summary.json (as `gameday run` writes it), from recorded samples. */
export function builtinSummary(options: FixtureOptions = {}): K6Summary {
  const p95 = options.ttftP95ByWindowMs ?? [500, 1500, 2500];
  const ttftOf = (turn: number) => (p95[Math.floor(turn / 100)] as number) * (turn % 100 < 90 ? 0.5 : turn % 100 < 98 ? 1 : 1.5);
  const metrics = new RunMetrics(metricDefinitions, { startedAt: fixtureStart, now: () => fixtureStart + fixtureRunMs });
  for (let turn = 0; turn < fixtureTurns; turn += 1) {
    const at = fixtureStart + turn * 100;
    metrics.add('chat_messages', 1, at);
    const failed = turn < (options.errors ?? 0);
    metrics.rate('chat_errors', failed, at);
    if (turn % 10 === 0) metrics.add('ws_open_sockets', 10 + (turn % 30), at);
    if (failed) continue;
    metrics.add('chat_ttft', ttftOf(turn), at);
    metrics.add('chat_turn_duration', ttftOf(turn) * 2, at);
    metrics.add('llm_input_tokens', inputTokensPerTurn, at);
    metrics.add('llm_output_tokens', outputTokensPerTurn, at);
    const cost = turnCostUsd('anthropic.claude-3-sonnet', { inputTokens: inputTokensPerTurn, outputTokens: outputTokensPerTurn });
    metrics.add('llm_cost_usd', cost, at);
    // As engine/turn-metrics.ts records them: by model too.
    metrics.add(perModel('llm_input_tokens', 'sonnet'), inputTokensPerTurn, at);
    metrics.add(perModel('llm_output_tokens', 'sonnet'), outputTokensPerTurn, at);
    metrics.add(perModel('llm_cost_usd', 'sonnet'), cost, at);
  }
  for (let lost = 0; lost < (options.contextLost ?? 0); lost += 1) metrics.add('session_context_lost', 1, fixtureStart + 12_000);
  metrics.add('ws_reconnects', 3, fixtureStart + 15_000);
  const snapshot = metrics.snapshot();
  const results = evaluateThresholds(snapshot, fixtureThresholds);
  const audited = ['session_turns_lost count==0', 'session_turns_duplicated count==0'];
  return toK6Summary(snapshot, results, {
    incident: options.incident ?? 'task-kill', title: options.title ?? 'ECS task kills lose in-memory sessions',
    profile: options.profile ?? 'hardened', naive: options.naive ?? [], scale: 0.4, durationMs: 25_000, seed: 1,
    target: options.notEvaluated ? 'http://127.0.0.1:9' : 'embedded stack', timeCompression: 'a kill every 8 s',
    audit: options.notEvaluated ? { skipped: 'a --target gives no access to its DynamoDB table' }
      : { sessions: fixtureSessions, acknowledged: 290, stored: 290, turnsLost: 0, turnsDuplicated: 0, outOfOrder: 0, unsigned: 0, examples: [] },
    generator: judgeGeneratorHealth(12, 8),
    faults: options.faults ? journal() : null,
    notEvaluated: options.notEvaluated
      ? audited.map((text) => ({ metric: text.split(' ')[0], expression: text.split(' ')[1], reason: 'a --target gives no access to its DynamoDB table' }))
      : [],
    errorExamples: options.errorExamples ?? [],
    ...(options.samples ? {
      samples: {
        // The sampler starts 2 s after the metrics, as a slow first Redis INFO would make it.
        startedAt: fixtureStart + 2_000,
        intervalMs: 1000,
        series: {
          redis_evicted_keys: Array.from({ length: 29 }, (_, second) => [second * 1000, Math.max(0, second - 10) * 7]),
          redis_keys: Array.from({ length: 29 }, (_, second) => [second * 1000, 100 + second]),
          redis_used_memory_bytes: Array.from({ length: 29 }, (_, second) => [second * 1000, (20 + second) * 1024 * 1024]),
        },
      },
    } : {}),
  });
}

/** A summary as `gameday run --engine k6` writes it: k6's handleSummary data normalised, snapshot null. */
export function k6ShapedSummary(incident = 'jp-emoji'): K6Summary {
  const data = {
    metrics: {
      chat_ttft: { type: 'trend', contains: 'time', values: { avg: 900, min: 100, med: 800, max: 4100, 'p(90)': 2000, 'p(95)': 3300 }, thresholds: { 'p(95)<3000': { ok: false } } },
      chat_errors: { type: 'rate', contains: 'default', values: { rate: 0, passes: 0, fails: 120 }, thresholds: { 'rate<0.01': { ok: true } } },
      chat_messages: { type: 'counter', contains: 'default', values: { count: 120, rate: 4 }, thresholds: { 'count>0': { ok: true } } },
      llm_input_tokens: { type: 'counter', contains: 'default', values: { count: 12_000, rate: 400 } },
      llm_output_tokens: { type: 'counter', contains: 'default', values: { count: 2_400, rate: 80 } },
      llm_cost_usd: { type: 'counter', contains: 'default', values: { count: 0.072, rate: 0.0024 } },
    },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 30_000 },
    options: { summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'], summaryTimeUnit: '', noColor: false },
  };
  return fromK6Summary(data, {
    incident, title: 'JP text with emoji refused by a UTF-16 length check', profile: 'hardened', naive: [], scale: 0.3, durationMs: 25_000, seed: 1,
    target: 'embedded stack', timeCompression: 'none', audit: { skipped: 'k6 does not report the sessions it ran' }, generator: null, faults: null,
    notEvaluated: [], errorExamples: [],
  });
}

/** Writes summaries into a run folder as `gameday run --out dir` lays it out. */
export function writeRunFolder(dir: string, summaries: K6Summary[]): string {
  for (const summary of summaries) {
    const entryDir = join(dir, `${String(summary.gameday.incident)}-${String(summary.gameday.profile)}`);
    mkdirSync(entryDir, { recursive: true });
    writeFileSync(join(entryDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  }
  return dir;
}
