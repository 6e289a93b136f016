import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningToxiproxy, startToxiproxyServer } from '../chaos/proxy/server.js';
import { type RunningEmulator, startBedrockEmulator } from '../stack/bedrock/server.js';
import { seededRandom } from '../stack/random.js';
import { type ServiceDeps, startServiceDeps } from '../test/service-deps.js';
import { type RunningFleet, startFleet } from '../test/service-fleet.js';
import { mobileProfile, readings } from './engine-test-kit.js';
import { chatMetrics, type MetricSink, RunMetrics } from './metrics/run-metrics.js';
import { listTurns } from './session-api.js';
import type { LoadTarget, SessionPlan, TurnPlan } from './session-plan.js';
import { runSession } from './session-runner.js';
import { setEmulatorFaults } from '../test/emulator-admin.js';

let deps: ServiceDeps;
let emulator: RunningEmulator;
let toxiproxy: RunningToxiproxy;
let fleet: RunningFleet;
let target: LoadTarget;

beforeAll(async () => {
  [deps, emulator, toxiproxy] = await Promise.all([
    startServiceDeps(), startBedrockEmulator({ timeScale: 0.02, targetOutputTokens: 40 }), startToxiproxyServer({ port: 0 }),
  ]);
  fleet = await startFleet(deps, emulator.url, { workers: 2 });
  const proxy = await toxiproxyApi('POST', '/proxies', { name: 'carrier', listen: '127.0.0.1:0', upstream: new URL(fleet.baseUrl).host }) as { listen: string };
  target = { http: fleet.baseUrl, ws: fleet.wsUrl, carrierWs: `ws://${proxy.listen}/v1/ws` };
}, 120_000);

afterAll(async () => {
  await fleet?.stop();
  await Promise.allSettled([toxiproxy?.stop(), emulator?.close()]);
  await deps?.stop();
}, 120_000);

async function toxiproxyApi(method: string, path: string, body?: object): Promise<unknown> {
  const response = await fetch(`${toxiproxy.url}${path}`, { method, body: body ? JSON.stringify(body) : undefined });
  expect(response.ok).toBe(true);
  return response.status === 204 ? null : response.json();
}

/** Passes every sample on, and lets a test act the moment a given sample is recorded. */
function watchedSink(inner: MetricSink, watch: (name: string, value: number | boolean) => void): MetricSink {
  return {
    add: (name, value, at) => { inner.add(name, value, at); watch(name, value); },
    rate: (name, hit, at) => { inner.rate(name, hit, at); watch(name, hit); },
  };
}

function turns(label: string, count: number, thinkBeforeMs = 0): TurnPlan[] {
  return Array.from({ length: count }, (_, index) => ({ text: `${label}: おすすめの漫画 ${index + 1} は？`, thinkBeforeMs, expect: 'answer' as const }));
}

/** The stored history: each messageId exactly once as user and once as assistant, in order. */
async function expectOneExchangePerMessage(sessionId: string, token: string, messageIds: string[]): Promise<void> {
  const stored = await listTurns(target.http, { sessionId, token });
  expect(stored.map((turn) => turn.idx)).toEqual(messageIds.flatMap((_, index) => [2 * index, 2 * index + 1]));
  expect(stored.map((turn) => `${turn.role}:${turn.messageId}`)).toEqual(messageIds.flatMap((id) => [`user:${id}`, `assistant:${id}`]));
}

describe('a mobile client that reconnects', () => {
  it('resends a timed-out turn with the same messageId after reconnecting, and the server makes no second turn', async () => {
    // Every answer starts after 900 ms, the client gives up on a socket after 500 ms: the first
    // send is always answered on a socket the client has already dropped.
    await setEmulatorFaults(emulator.adminUrl, { extraTtftMs: 900 });
    try {
      const metrics = new RunMetrics(chatMetrics);
      const plan: SessionPlan = { client: mobileProfile({ turnTimeoutMs: 500 }), customerId: 'engine-resend', turns: turns('resend', 2) };
      const outcome = await runSession({ target, plan, metrics, random: seededRandom(11) });

      expect(outcome.error).toBeNull();
      expect(outcome.record?.acknowledged.map((turn) => turn.turnCount)).toEqual([1, 2]);
      const read = readings(metrics.snapshot());
      expect(read.counter('ws_reconnects')).toBeGreaterThanOrEqual(2);
      expect(read.counter('chat_messages')).toBe(2);
      expect(read.rate('chat_errors')).toEqual({ hits: 0, total: 2 });
      expect(read.counter('session_context_lost')).toBe(0);
      await expectOneExchangePerMessage(outcome.record?.sessionId ?? '', outcome.record?.token ?? '', ['turn-1', 'turn-2']);
    } finally {
      await setEmulatorFaults(emulator.adminUrl, null);
    }
  });

  it('resumes through the carrier after the proxy resets the connection, counting the failed connects', async () => {
    const metrics = new RunMetrics(chatMetrics);
    let toxic: Promise<unknown> | null = null;
    // After the first answer, every connection through the carrier is reset on its first byte
    // until a reconnect attempt has failed; then the path heals.
    const sink = watchedSink(metrics, (name, value) => {
      if (name === 'chat_turn_duration' && toxic === null) {
        toxic = toxiproxyApi('POST', '/proxies/carrier/toxics', { name: 'cut', type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } });
      } else if (name === 'ws_connect_failures' && value === true) {
        void toxic?.then(() => toxiproxyApi('DELETE', '/proxies/carrier/toxics/cut'));
      }
    });
    const plan: SessionPlan = { client: mobileProfile({ via: 'carrier' }), customerId: 'engine-carrier', turns: turns('carrier', 3, 300) };
    const outcome = await runSession({ target, plan, metrics: sink, random: seededRandom(12) });

    expect(toxic).not.toBeNull();
    expect(outcome.error).toBeNull();
    expect(outcome.record?.acknowledged.map((turn) => turn.turnCount)).toEqual([1, 2, 3]);
    const read = readings(metrics.snapshot());
    expect(read.counter('ws_reconnects')).toBe(1);
    expect(read.rate('ws_connect_failures').hits).toBeGreaterThanOrEqual(1);
    expect(read.rate('chat_errors')).toEqual({ hits: 0, total: 3 });
    await expectOneExchangePerMessage(outcome.record?.sessionId ?? '', outcome.record?.token ?? '', ['turn-1', 'turn-2', 'turn-3']);
  });

  it('after its worker is SIGKILLed, resumes on a new worker and resends: every turn stored once, no context lost', async () => {
    const metrics = new RunMetrics(chatMetrics);
    const killed: number[] = [];
    let messages = 0;
    const sink = watchedSink(metrics, (name) => {
      // The second message is on its way: kill every worker, whichever holds the socket.
      if (name === 'chat_messages' && (messages += 1) === 2) {
        for (const pid of fleet.workers()) {
          killed.push(pid);
          process.kill(pid, 'SIGKILL');
        }
      }
    });
    const plan: SessionPlan = {
      client: mobileProfile({ reconnect: { baseMs: 200, maxMs: 2_000, maxAttempts: 12 }, turnTimeoutMs: 10_000 }),
      customerId: 'engine-kill', turns: turns('kill', 3),
    };
    const outcome = await runSession({ target, plan, metrics: sink, random: seededRandom(13) });

    expect(killed.length).toBeGreaterThan(0);
    expect(outcome.error).toBeNull();
    expect(outcome.record?.acknowledged.map((turn) => turn.turnCount)).toEqual([1, 2, 3]);
    const read = readings(metrics.snapshot());
    expect(read.counter('ws_reconnects')).toBe(1);
    expect(read.counter('session_context_lost')).toBe(0);
    expect(read.rate('chat_errors')).toEqual({ hits: 0, total: 3 });
    await expectOneExchangePerMessage(outcome.record?.sessionId ?? '', outcome.record?.token ?? '', ['turn-1', 'turn-2', 'turn-3']);
  }, 60_000);
});
