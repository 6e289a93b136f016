import { get } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startBedrockEmulator } from '../stack/bedrock/server.js';
import { isAlive } from '../stack/stack-state.js';
import { connectChat, createSession, listAllTurns } from '../test/chat-client.js';
import { type ServiceDeps, startServiceDeps } from '../test/service-deps.js';
import { type FleetOptions, type RunningFleet, startFleet } from '../test/service-fleet.js';

let deps: ServiceDeps;
let emulator: RunningEmulator;
const fleets: RunningFleet[] = [];

beforeAll(async () => {
  [deps, emulator] = await Promise.all([startServiceDeps(), startBedrockEmulator({ timeScale: 0.05 })]);
});

afterEach(async () => {
  for (const fleet of fleets.splice(0)) await fleet.stop();
});

afterAll(async () => {
  await emulator?.close();
  await deps?.stop();
});

async function fleetWith(options: FleetOptions = {}): Promise<RunningFleet> {
  const fleet = await startFleet(deps, emulator.url, options);
  fleets.push(fleet);
  return fleet;
}

/** A GET on its own connection (fetch would reuse one, and so one worker). */
function freshGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, headers: { connection: 'close' } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => { body += chunk; });
      response.on('end', () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`${url} answered ${response.statusCode}: ${body}`))));
    }).on('error', reject);
  });
}

/** The sum of a metric's samples over its label sets. */
function sumOf(text: string, name: string): number {
  const samples = text.split('\n').filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`));
  return samples.reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

function killAll(pids: number[]): void {
  for (const pid of pids) process.kill(pid, 'SIGKILL');
}

describe('the fleet', () => {
  it('replaces SIGKILLed workers, and the client resumes on a new one with every acknowledged turn', async () => {
    const fleet = await fleetWith();
    const session = await createSession(fleet.baseUrl, 'fleet-kill');
    const before = connectChat(fleet.wsUrl, session.sessionId, session.token);
    expect((await before.ready).turnCount).toBe(0);
    for (let i = 1; i <= 3; i += 1) {
      expect((await before.turn(`kill-${i}`, 'ホラー漫画のおすすめを教えて')).turnCount).toBe(i);
    }

    const killed = fleet.workers();
    killAll(killed);
    await before.closed;
    await fleet.waitForWorkers(2, killed);
    expect(killed.filter(isAlive)).toEqual([]);

    const after = connectChat(fleet.wsUrl, session.sessionId, session.token);
    expect((await after.ready).turnCount).toBe(3);
    expect((await after.turn('kill-4', '2番目のやつについて詳しく')).turnCount).toBe(4);
    after.close();
    const turns = await listAllTurns(fleet.baseUrl, session.sessionId, session.token);
    expect(turns.map((turn) => turn.idx)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(turns.map((turn) => turn.messageId))).toEqual(new Set(['kill-1', 'kill-2', 'kill-3', 'kill-4']));
  }, 120_000);

  it('every scrape of /metrics shows the whole fleet, whichever worker the connection lands on', async () => {
    const fleet = await fleetWith({ workers: 2 });
    // Four sockets, opened one after another: the cluster deals connections round-robin. Every
    // turn records one TTFT, whether the model or the response cache answered it.
    const clients = [];
    for (let i = 0; i < 4; i += 1) {
      const session = await createSession(fleet.baseUrl, `fleet-metrics-${i}`);
      const client = connectChat(fleet.wsUrl, session.sessionId, session.token);
      await client.ready;
      clients.push(client);
    }
    for (const [i, client] of clients.entries()) expect((await client.turn(`metrics-${i}`, `${['ホラー', '恋愛', '少年', 'SF'][i]}漫画で一番怖いのは？（メトリクス${i}）`)).turnCount).toBe(1);
    // A fresh connection per scrape, so the scrapes are dealt to both workers too.
    for (let scrape = 0; scrape < 4; scrape += 1) {
      const text = await freshGet(`${fleet.baseUrl}/metrics`);
      expect(sumOf(text, 'chat_ttft_seconds_count'), text.slice(0, 300)).toBe(4);
      expect(sumOf(text, 'ws_live_sockets')).toBe(4);
    }
    for (const client of clients) client.close();
  }, 120_000);

  it('naive inProcessSessions loses the session when its worker is killed (seed 000 scenario 2)', async () => {
    const fleet = await fleetWith({ naive: ['inProcessSessions'], workers: 1 });
    const session = await createSession(fleet.baseUrl, 'fleet-naive');
    const client = connectChat(fleet.wsUrl, session.sessionId, session.token);
    await client.ready;
    expect((await client.turn('naive-1', 'ホラー漫画のおすすめを教えて')).turnCount).toBe(1);
    const killed = fleet.workers();
    killAll(killed);
    await client.closed;
    await fleet.waitForWorkers(1, killed);

    const again = connectChat(fleet.wsUrl, session.sessionId, session.token);
    await expect(again.ready).rejects.toThrow('ORCH_ERR_SESSION_NOT_FOUND');
  });

  it('SIGTERM drains: a stream in flight finishes with a durable done, then the fleet exits 0', async () => {
    const fleet = await fleetWith();
    const session = await createSession(fleet.baseUrl, 'fleet-drain');
    const client = connectChat(fleet.wsUrl, session.sessionId, session.token);
    await client.ready;
    let chunks = 0;
    let signalled = false;
    const done = client.turn('drain-1', 'ホラー漫画のおすすめを教えて', () => {
      chunks += 1;
      if (!signalled) {
        signalled = true;
        process.kill(fleet.primaryPid, 'SIGTERM');
      }
    });
    const frame = await done;
    expect(signalled).toBe(true);
    expect(chunks).toBeGreaterThan(1);
    expect(frame.turnCount).toBe(1);
    expect(await fleet.exited).toEqual({ code: 0, signal: null });
    const stored = await deps.documents.send(new (await import('@aws-sdk/lib-dynamodb')).QueryCommand({
      TableName: deps.table,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :turn)',
      ExpressionAttributeValues: { ':pk': `SESSION#${session.sessionId}`, ':turn': 'TURN#' },
    }));
    expect(stored.Items?.length).toBe(2);
  });
});
