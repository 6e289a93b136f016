import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startBedrockEmulator } from '../../../stack/bedrock/server.js';
import { connectChat, createSession } from '../../../test/chat-client.js';
import { type ServiceDeps, startServiceDeps } from '../../../test/service-deps.js';
import { type RunningFleet, startFleet } from '../../../test/service-fleet.js';
import { type RunningToxiproxy, startToxiproxyServer } from '../server.js';

// Seed 001's timers compressed 20×, ratios kept: NAT idle 30 s → 1.5 s, ping 20 s → 1 s, pong timeout 5 s → 250 ms.
const natIdleMs = 1_500;
const serviceTimers = { GAMEDAY_PING_INTERVAL_MS: '1000', GAMEDAY_PONG_TIMEOUT_MS: '250' };
const idleBetweenTurnsMs = 3 * natIdleMs;

let deps: ServiceDeps;
let emulator: RunningEmulator;
let toxiproxy: RunningToxiproxy;
const fleets: RunningFleet[] = [];

beforeAll(async () => {
  [deps, emulator, toxiproxy] = await Promise.all([
    startServiceDeps(),
    startBedrockEmulator({ timeScale: 0.02, targetOutputTokens: 40 }),
    startToxiproxyServer({ port: 0 }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(fleets.map((fleet) => fleet.stop()));
  await Promise.allSettled([toxiproxy?.stop(), emulator?.close(), deps?.stop()]);
}, 120_000);

/** A fleet behind its own carrier proxy with a NAT that drops mappings idle for natIdleMs, silently. */
async function behindCarrierNat(name: string, naive: string[]): Promise<{ fleet: RunningFleet; carrierWs: string }> {
  const fleet = await startFleet(deps, emulator.url, { workers: 1, naive, env: serviceTimers });
  fleets.push(fleet);
  const api = async (path: string, body: object) => {
    const response = await fetch(`${toxiproxy.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    expect(response.ok).toBe(true);
    return response.json() as Promise<{ listen: string }>;
  };
  const proxy = await api('/proxies', { name, listen: '127.0.0.1:0', upstream: new URL(fleet.baseUrl).host });
  await api(`/proxies/${name}/toxics`, { type: 'nat_idle', attributes: { idle_ms: natIdleMs, mode: 'blackhole' } });
  return { fleet, carrierWs: `ws://${proxy.listen}/v1/ws` };
}

/** Connects through the carrier, chats once, idles past the NAT timeout, then asks again. */
async function idleConversation(fleet: RunningFleet, carrierWs: string) {
  const { sessionId, token } = await createSession(fleet.baseUrl, 'nat-customer');
  const client = connectChat(carrierWs, sessionId, token);
  try {
    await client.ready;
    const first = await client.turn('nat-1', 'ホラー漫画のおすすめは？');
    await sleep(idleBetweenTurnsMs);
    const noAnswer = sleep(3 * natIdleMs).then(() => 'no answer' as const);
    const second = await Promise.race([client.turn('nat-2', '2番目のやつについて教えて'), noAnswer, client.closed.then((code) => `closed ${code}`)]);
    return { first, second };
  } finally {
    client.close();
  }
}

describe('carrier NAT idle drop against the service (seed 001 s1)', () => {
  it("the service's app-level pings keep an idle socket's NAT mapping alive", async () => {
    const { fleet, carrierWs } = await behindCarrierNat('carrier-hardened', []);
    const { first, second } = await idleConversation(fleet, carrierWs);
    expect(first.turnCount).toBe(1);
    expect(second).toMatchObject({ type: 'done', turnCount: 2 });
  }, 120_000);

  it('without them (naive noAppPings) the mapping is dropped: the next message vanishes, and nobody is told', async () => {
    const { fleet, carrierWs } = await behindCarrierNat('carrier-naive', ['noAppPings']);
    const { first, second } = await idleConversation(fleet, carrierWs);
    expect(first.turnCount).toBe(1);
    expect(second).toBe('no answer');
  }, 120_000);
});
