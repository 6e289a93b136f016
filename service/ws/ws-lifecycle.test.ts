import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServiceStack, type RunningService, type ServiceStack } from '../../test/service-app.js';
import { connectTestSocket, type TestSocket } from '../../test/ws-test-client.js';

// Seed 001 s1's 20 s ping and 5 s pong timeout, compressed a hundredfold.
const compressedTimers = { GAMEDAY_PING_INTERVAL_MS: '200', GAMEDAY_PONG_TIMEOUT_MS: '100' };

let stack: ServiceStack;
const sockets = new Set<TestSocket>();

beforeAll(async () => {
  stack = await startServiceStack({ timeScale: 0.05, targetOutputTokens: 300 });
}, 120_000);

afterEach(async () => {
  for (const socket of sockets) await socket.close();
  sockets.clear();
});

afterAll(async () => {
  await stack?.stop();
});

async function open(service: RunningService, options: { answerPings?: boolean } = {}) {
  const { meta, token } = await service.deps.memory.createSession({ customerId: 'lifecycle' });
  const socket = await connectTestSocket(service.wsUrl, { sessionId: meta.sessionId, token }, options);
  sockets.add(socket);
  await socket.waitFor('ready');
  return { socket, sessionId: meta.sessionId, token };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('app-level heartbeat (seed 001 s1)', () => {
  let hardened: RunningService;
  let noPings: RunningService;
  beforeAll(async () => {
    hardened = await stack.start(compressedTimers);
    noPings = await stack.start({ ...compressedTimers, GAMEDAY_NAIVE: 'noAppPings' });
  });

  it('closes a client that never answers the ping', async () => {
    const { socket } = await open(hardened, { answerPings: false });
    const closed = await Promise.race([socket.closed, sleep(10_000).then(() => null)]);
    expect(closed?.code).toBe(4408);
    expect(socket.frames.some((frame) => frame.type === 'ping')).toBe(true);
    expect(await hardened.metrics.registry.getSingleMetricAsString('errors_total')).toContain('ORCH_ERR_HEARTBEAT_TIMEOUT');
  });

  it('keeps a client that answers every ping', async () => {
    const { socket } = await open(hardened);
    await sleep(1_500);
    expect(socket.frames.filter((frame) => frame.type === 'ping').length).toBeGreaterThanOrEqual(3);
    expect(socket.socket.readyState).toBe(socket.socket.OPEN);
    socket.send({ type: 'message', messageId: 'alive', text: 'こんにちは' });
    expect(await socket.waitFor('done')).toMatchObject({ turnCount: 1 });
  });

  it('naive noAppPings sends no ping at all, so an idle socket looks alive to nobody', async () => {
    const { socket } = await open(noPings, { answerPings: false });
    await sleep(1_000);
    expect(socket.frames.filter((frame) => frame.type === 'ping')).toEqual([]);
    expect(socket.socket.readyState).toBe(socket.socket.OPEN);
  });
});

describe('drain (SIGTERM)', () => {
  it('finishes the turn in flight with a durable done, then closes 1012 and refuses new work', async () => {
    const service = await stack.start();
    const busy = await open(service);
    const idle = await open(service);
    busy.socket.send({ type: 'message', messageId: 'in-flight', text: 'おすすめの長編マンガを詳しく教えて' });
    await busy.socket.waitFor('chunk');
    let drainedAt = 0;
    const drained = service.app.drain().then(() => { drainedAt = performance.now(); });

    expect((await idle.socket.closed).code).toBe(1012);
    const done = await busy.socket.waitFor('done');
    expect(done).toMatchObject({ messageId: 'in-flight', turnCount: 1 });
    expect((await busy.socket.closed).code).toBe(1012);
    await drained;
    expect(drainedAt).toBeGreaterThanOrEqual(done.at);
    expect((await service.deps.memory.loadSession(busy.sessionId, { recentTurns: 2 }))?.meta.turnCount).toBe(1);

    const refused = await service.rest('POST', '/v1/sessions', { body: { customerId: 'late' } });
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: 'ORCH_ERR_DRAINING' });
    expect((await service.rest('GET', '/readyz')).status).toBe(503);
    const late = await connectTestSocket(service.wsUrl, { sessionId: busy.sessionId, token: busy.token });
    sockets.add(late);
    expect(await late.waitFor('error')).toMatchObject({ code: 'ORCH_ERR_DRAINING' });
    expect((await late.closed).code).toBe(1012);
  });
});
