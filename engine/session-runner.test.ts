import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startBedrockEmulator } from '../stack/bedrock/server.js';
import { seededRandom } from '../stack/random.js';
import { type ServiceDeps, startServiceDeps } from '../test/service-deps.js';
import { type RunningFleet, startFleet } from '../test/service-fleet.js';
import { desktopProfile, readings } from './engine-test-kit.js';
import { chatMetrics, RunMetrics } from './metrics/run-metrics.js';
import { listTurns } from './session-api.js';
import type { LoadTarget, SessionPlan, SessionRecord } from './session-plan.js';
import { runSession } from './session-runner.js';
import { setEmulatorFaults } from '../test/emulator-admin.js';

let deps: ServiceDeps;
let emulator: RunningEmulator;
let fleet: RunningFleet;
let target: LoadTarget;

beforeAll(async () => {
  [deps, emulator] = await Promise.all([startServiceDeps(), startBedrockEmulator({ timeScale: 0.02, targetOutputTokens: 40 })]);
  // Pings every 500 ms, so the tests also read pings between chunks; a silent client is cut within 1.5 s.
  fleet = await startFleet(deps, emulator.url, { workers: 2, env: { GAMEDAY_PING_INTERVAL_MS: '500', GAMEDAY_PONG_TIMEOUT_MS: '1000' } });
  target = { http: fleet.baseUrl, ws: fleet.wsUrl };
}, 120_000);

afterAll(async () => {
  await fleet?.stop();
  await emulator?.close();
  await deps?.stop();
});

describe('runSession', () => {
  it('plays 3 turns: ttft, duration and messages recorded, turnCounts 1..3, no context lost, stored text exact', async () => {
    const metrics = new RunMetrics(chatMetrics);
    const seen: Array<{ reply: string; previous: number }> = [];
    const plan: SessionPlan = {
      client: desktopProfile, customerId: 'engine-three-turns',
      turns: [
        { text: 'ホラー漫画のおすすめを教えて🎉 (runner test)', thinkBeforeMs: 0, expect: 'answer', checkStored: true },
        { text: '👨‍👩‍👧 𠮷野家が出てくる漫画は？', thinkBeforeMs: 20, expect: 'answer', checkStored: true },
        {
          text: '2番目のやつについて詳しく', thinkBeforeMs: 20, expect: 'answer',
          checkReply: (reply, { previousReplies }) => {
            seen.push({ reply, previous: previousReplies.length });
            return 'the reply does not name the second title';
          },
        },
      ],
    };
    const outcome = await runSession({ target, plan, metrics, random: seededRandom(1) });

    expect(outcome.error).toBeNull();
    expect(outcome.record?.acknowledged.map((turn) => [turn.messageId, turn.turnCount])).toEqual([['turn-1', 1], ['turn-2', 2], ['turn-3', 3]]);
    expect(outcome.record?.acknowledged[1]?.text).toBe(plan.turns[1]?.text);
    const read = readings(metrics.snapshot());
    expect(read.counter('chat_messages')).toBe(3);
    expect(read.trendCount('chat_ttft')).toBe(3);
    expect(read.trendCount('chat_turn_duration')).toBe(3);
    expect(read.trendMin('chat_turn_duration')).toBeGreaterThanOrEqual(read.trendMin('chat_ttft') ?? Infinity);
    expect(read.rate('chat_errors')).toEqual({ hits: 0, total: 3 });
    expect(read.rate('ws_connect_failures')).toEqual({ hits: 0, total: 1 });
    expect(read.counter('session_context_lost')).toBe(0);
    expect(read.counter('payload_check_failures')).toBe(0);
    expect(read.trendCount('llm_input_tokens_per_turn')).toBe(3);
    expect(read.counter('llm_output_tokens')).toBeGreaterThan(0);
    expect(read.counter('llm_cost_usd')).toBeGreaterThan(0);
    // The check ran on the decoded reply with the two before it, and its miss was counted.
    expect(seen).toHaveLength(1);
    expect(seen[0]?.reply.length).toBeGreaterThan(0);
    expect(seen[0]?.previous).toBe(2);
    expect(read.counter('coreference_misses')).toBe(1);
  });

  it('judges refusals against the plan: the expected code passes, an unexpected refusal or answer fails', async () => {
    const metrics = new RunMetrics(chatMetrics);
    const tooLong = 'あ'.repeat(4001);
    const plan: SessionPlan = {
      client: desktopProfile, customerId: 'engine-refusals',
      turns: [
        { text: tooLong, thinkBeforeMs: 0, expect: { refusedWith: 'ORCH_ERR_MESSAGE_TOO_LONG', message: 'メッセージが長すぎます (最大4000文字)' } },
        { text: tooLong, thinkBeforeMs: 0, expect: 'answer' },
        { text: 'あ'.repeat(4000), thinkBeforeMs: 0, expect: { refusedWith: 'ORCH_ERR_MESSAGE_TOO_LONG' } },
        { text: tooLong, thinkBeforeMs: 0, expect: { refusedWith: 'ORCH_ERR_MESSAGE_TOO_LONG', message: 'wrong text' } },
      ],
    };
    const outcome = await runSession({ target, plan, metrics, random: seededRandom(2) });

    expect(outcome.error).toBeNull();
    expect(outcome.record?.acknowledged.map((turn) => turn.turnCount)).toEqual([1]);
    const read = readings(metrics.snapshot());
    expect(read.counter('chat_messages')).toBe(4);
    expect(read.counter('payload_check_failures')).toBe(3);
    // Only the refusal of a turn that should have been answered is a chat error.
    expect(read.rate('chat_errors')).toEqual({ hits: 1, total: 4 });
    expect(read.counter('chat_input_too_long')).toBe(0);
  });

  it('a restarted answer: chat_restarts counted, the reply is the new answer alone, the TTFT its first chunk ever', async () => {
    // Sonnet streams slowly enough for several chunks and falls silent after the first: past the
    // service's 5 s gap timeout it restarts the answer on Haiku.
    await setEmulatorFaults(emulator.adminUrl, { latencyFactor: 20, midStreamPause: { afterChunks: 1, ms: 8_000 }, models: ['sonnet'] });
    try {
      const metrics = new RunMetrics(chatMetrics);
      const replies: string[] = [];
      const plan: SessionPlan = {
        client: desktopProfile, customerId: 'engine-restart',
        turns: [{ text: 'ホラー漫画のおすすめを教えて (restart test)', thinkBeforeMs: 0, expect: 'answer', checkReply: (reply) => { replies.push(reply); return null; } }],
      };
      const outcome = await runSession({ target, plan, metrics, random: seededRandom(6) });

      expect(outcome.error).toBeNull();
      const read = readings(metrics.snapshot());
      expect(read.counter('chat_restarts')).toBe(1);
      expect(read.rate('chat_errors')).toEqual({ hits: 0, total: 1 });
      const stored = await listTurns(target.http, outcome.record as SessionRecord);
      expect(stored.map((turn) => turn.role)).toEqual(['user', 'assistant']);
      expect(replies).toEqual([stored[1]?.content]);
      // The first chunk the customer saw was Sonnet's, well before the restart; the answer came after it.
      expect(read.trendMin('chat_ttft')).toBeLessThan(2_000);
      expect(read.trendMin('chat_turn_duration')).toBeGreaterThan(5_000);
    } finally {
      await setEmulatorFaults(emulator.adminUrl, null);
    }
  });

  it('a turn with no done within turnTimeoutMs counts an error and ends a desktop session', async () => {
    await setEmulatorFaults(emulator.adminUrl, { extraTtftMs: 2_000 });
    try {
      const metrics = new RunMetrics(chatMetrics);
      const plan: SessionPlan = {
        client: { ...desktopProfile, turnTimeoutMs: 400 }, customerId: 'engine-timeout',
        turns: [
          { text: 'ゆっくり答えてください (timeout test)', thinkBeforeMs: 0, expect: 'answer' },
          { text: 'never sent', thinkBeforeMs: 0, expect: 'answer' },
        ],
      };
      const outcome = await runSession({ target, plan, metrics, random: seededRandom(3) });

      expect(outcome.error).toMatch(/turn-1: no done or error within 400 ms/);
      expect(outcome.record?.acknowledged).toEqual([]);
      const read = readings(metrics.snapshot());
      expect(read.counter('chat_messages')).toBe(1);
      expect(read.rate('chat_errors')).toEqual({ hits: 1, total: 1 });
      expect(read.trendCount('chat_turn_duration')).toBe(0);
    } finally {
      await setEmulatorFaults(emulator.adminUrl, null);
    }
  });

  it('answers the server\'s pings and keeps an idle socket; a client that does not is cut off between turns', async () => {
    const idleTurns = (label: string): SessionPlan['turns'] => [
      { text: `${label}: 少年漫画のおすすめは？`, thinkBeforeMs: 0, expect: 'answer' },
      { text: 'それの作者は？', thinkBeforeMs: 2_500, expect: 'answer' },
    ];
    // The open-socket count as the run's sampler would see it, every 100 ms.
    const watch = (sockets: { open: number }) => {
      const seen: number[] = [];
      const timer = setInterval(() => seen.push(sockets.open), 100);
      return { seen, stop: () => clearInterval(timer) };
    };
    const answering = new RunMetrics(chatMetrics);
    const keptSockets = { open: 0 };
    const keptWatch = watch(keptSockets);
    const kept = await runSession({
      target, plan: { client: desktopProfile, customerId: 'engine-pings', turns: idleTurns('pings') }, metrics: answering, random: seededRandom(4), sockets: keptSockets,
    });
    keptWatch.stop();
    expect(kept.error).toBeNull();
    expect(readings(answering.snapshot()).rate('chat_errors')).toEqual({ hits: 0, total: 2 });
    // Held open through the idle think time, given back at the end.
    expect(keptWatch.seen.filter((open) => open === 1).length).toBeGreaterThan(15);
    expect(Math.max(...keptWatch.seen)).toBe(1);
    expect(keptSockets.open).toBe(0);

    const silent = new RunMetrics(chatMetrics);
    const cutSockets = { open: 0 };
    const cutWatch = watch(cutSockets);
    const cut = await runSession({
      target, plan: { client: { ...desktopProfile, answersServerPings: false }, customerId: 'engine-no-pongs', turns: idleTurns('no pongs') },
      metrics: silent, random: seededRandom(5), sockets: cutSockets,
    });
    cutWatch.stop();
    expect(cut.error).toMatch(/turn-2: the socket closed between turns/);
    expect(readings(silent.snapshot()).rate('chat_errors')).toEqual({ hits: 1, total: 2 });
    // Cut off during the think time: the count fell to 0 before the session ended.
    expect(cutWatch.seen.indexOf(0, cutWatch.seen.indexOf(1))).toBeGreaterThan(0);
    expect(cutSockets.open).toBe(0);
  });
});
