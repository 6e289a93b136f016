import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startBedrockEmulator } from '../stack/bedrock/server.js';
import { seededRandom } from '../stack/random.js';
import { type ServiceDeps, startServiceDeps } from '../test/service-deps.js';
import { type RunningFleet, startFleet } from '../test/service-fleet.js';
import { desktopProfile, mobileProfile, readings } from './engine-test-kit.js';
import { chatMetrics, type MetricSink, RunMetrics } from './metrics/run-metrics.js';
import type { LoadTarget, SessionPlan } from './session-plan.js';
import { runSession } from './session-runner.js';

// Two original bugs at once, one worker (sessions live in it): seed 000 s2 (inProcessSessions)
// and seed 000 s1 (fullHistory, which stores the retrieved products inside the user's turn).
let deps: ServiceDeps;
let emulator: RunningEmulator;
let fleet: RunningFleet;
let target: LoadTarget;

beforeAll(async () => {
  [deps, emulator] = await Promise.all([startServiceDeps(), startBedrockEmulator({ timeScale: 0.02, targetOutputTokens: 40 })]);
  fleet = await startFleet(deps, emulator.url, { workers: 1, naive: ['inProcessSessions', 'fullHistory'] });
  target = { http: fleet.baseUrl, ws: fleet.wsUrl };
}, 120_000);

afterAll(async () => {
  await fleet?.stop();
  await emulator?.close();
  await deps?.stop();
});

describe('the engine against the naive service', () => {
  it('counts a payload check failure when the stored user text is not byte-identical (naive fullHistory)', async () => {
    const metrics = new RunMetrics(chatMetrics);
    const plan: SessionPlan = {
      client: desktopProfile, customerId: 'engine-naive-stored',
      turns: [
        { text: '進撃の巨人みたいな漫画は？ (stored check)', thinkBeforeMs: 0, expect: 'answer', checkStored: true },
        { text: 'その中で一番安いのは？', thinkBeforeMs: 0, expect: 'answer', checkStored: true },
      ],
    };
    const outcome = await runSession({ target, plan, metrics, random: seededRandom(21) });

    expect(outcome.error).toBeNull();
    const read = readings(metrics.snapshot());
    expect(read.rate('chat_errors')).toEqual({ hits: 0, total: 2 });
    expect(read.counter('payload_check_failures')).toBe(2);
  });

  it('shows session_context_lost when the worker holding the sessions is SIGKILLed (naive inProcessSessions)', async () => {
    const metrics = new RunMetrics(chatMetrics);
    let messages = 0;
    const sink: MetricSink = {
      add: (name, value, at) => {
        metrics.add(name, value, at);
        if (name === 'chat_messages' && (messages += 1) === 2) for (const pid of fleet.workers()) process.kill(pid, 'SIGKILL');
      },
      rate: (name, hit, at) => metrics.rate(name, hit, at),
    };
    const plan: SessionPlan = {
      client: mobileProfile({ reconnect: { baseMs: 200, maxMs: 2_000, maxAttempts: 12 } }), customerId: 'engine-naive-kill',
      turns: ['ホラー漫画のおすすめを教えて (naive kill)', '2番目のやつについて詳しく', 'ありがとう'].map((text) => ({ text, thinkBeforeMs: 0, expect: 'answer' as const })),
    };
    const outcome = await runSession({ target, plan, metrics: sink, random: seededRandom(22) });

    expect(outcome.error).toMatch(/ORCH_ERR_SESSION_NOT_FOUND/);
    expect(outcome.record?.acknowledged.map((turn) => turn.turnCount)).toEqual([1]);
    const read = readings(metrics.snapshot());
    expect(read.counter('session_context_lost')).toBeGreaterThan(0);
    expect(read.rate('chat_errors')).toEqual({ hits: 1, total: 2 });
  }, 60_000);
});
