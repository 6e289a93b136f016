import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRawWebSocket, type RawWebSocket } from '../../test/raw-ws-client.js';
import { startServiceStack, type RunningService, type ServiceStack } from '../../test/service-app.js';
import { testObservability } from '../../test/service-deps.js';
import { connectTestSocket, type TestSocket } from '../../test/ws-test-client.js';

// Seed 001 s1's 20 s ping and 5 s pong timeout, compressed a hundredfold.
const compressedTimers = { GAMEDAY_PING_INTERVAL_MS: '200', GAMEDAY_PONG_TIMEOUT_MS: '100' };

let stack: ServiceStack;
const sockets = new Set<TestSocket>();
const rawSockets = new Set<RawWebSocket>();

beforeAll(async () => {
  stack = await startServiceStack({ timeScale: 0.05, targetOutputTokens: 300 });
}, 120_000);

afterEach(async () => {
  for (const socket of sockets) await socket.close();
  sockets.clear();
  for (const socket of rawSockets) socket.destroy();
  rawSockets.clear();
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

describe('slow reader (issue 4)', () => {
  const limit = 16 * 1024;
  // Loopback's kernel buffers take megabytes before one byte backs up in the worker, far more
  // than any answer, so the client that stopped reading keeps sending pings: each pong is a
  // write the worker has to hold for it. The flood is bounded well past where the cut must come.
  const pingsPerBatch = 1_000;
  const maxFloodBytes = 32 * 1024 * 1024;
  // One frame past the limit at most: a pong or a chunk is far smaller than this.
  const oneFrameBytes = 1_024;
  // Real milliseconds; the cut comes within a few seconds even on a busy two-core machine.
  const turnHeldMs = 10_000;
  // The longest number JSON writes: a pong echoes it, so each flooding frame makes a bigger write.
  const ping = { type: 'ping', ts: -2.2250738585072014e-308 };
  const pingBatch = Array.from({ length: pingsPerBatch }, () => ping);
  const pingBatchBytes = pingsPerBatch * (6 + JSON.stringify(ping).length);
  let service: RunningService;
  let logLines: Array<Record<string, unknown>>;

  beforeAll(async () => {
    const observed = testObservability();
    logLines = observed.lines;
    service = await stack.start({ GAMEDAY_WS_MAX_BUFFERED_BYTES: String(limit) }, { logger: observed.logger });
  });

  const setFaults = (method: 'PUT' | 'DELETE', body?: unknown) =>
    fetch(`${stack.emulator.adminUrl}/faults`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const liveSockets = async () => Number(/ws_live_sockets (\d+)/.exec(await service.metrics.registry.getSingleMetricAsString('ws_live_sockets'))?.[1]);
  const slowReaderLines = () => logLines.filter((line) => line.code === 'ORCH_ERR_SLOW_READER');

  async function openRaw(customerId: string) {
    const { meta, token } = await service.deps.memory.createSession({ customerId });
    const socket = await connectRawWebSocket(service.wsUrl, { sessionId: meta.sessionId, token });
    rawSockets.add(socket);
    await socket.waitUntil(() => socket.frames.some((frame) => frame.type === 'ready'), 'ready');
    return { socket, sessionId: meta.sessionId };
  }

  it('cuts off a client that stopped reading once its unsent bytes pass the limit, stores its turn in flight, and keeps serving others', async () => {
    const liveBefore = await liveSockets();
    const { socket: stalled, sessionId } = await openRaw('stalled');
    // A first token this late keeps the stalled client's turn in flight well past the cut. Only
    // Sonnet is slowed: should it pass its own timeout on a loaded machine, Haiku still answers
    // and the turn is stored all the same.
    expect((await setFaults('PUT', { extraTtftMs: turnHeldMs, models: ['sonnet'] })).status).toBe(200);
    let floodBytes = 0;
    try {
      stalled.stopReading();
      // A question no other test asks: an answer from the response cache would not wait for the model.
      await stalled.send([{ type: 'message', messageId: 'unread', text: '電車で読める短めの完結マンガを教えて' }]);
      while (floodBytes < maxFloodBytes && await stalled.send(pingBatch)) floodBytes += pingBatchBytes;
    } finally {
      await setFaults('DELETE');
    }
    // The client's writes failed: the worker dropped the connection rather than hold the flood's answers.
    expect(floodBytes).toBeLessThan(maxFloodBytes);
    await stalled.gone;
    // The 1013 close frame queues behind the bytes the client never read and the socket is
    // terminated first: the client sees an abnormal close (1006), never 1013.
    expect(stalled.closeFrame).toBeNull();

    const [cut, ...more] = slowReaderLines();
    expect(more).toEqual([]);
    expect(cut).toMatchObject({ sessionId, level: 40 });
    const [, unsent, limitSeen] = /^(\d+) bytes unsent, limit (\d+)$/.exec(String(cut?.msg)) ?? [];
    expect(Number(limitSeen)).toBe(limit);
    expect(Number(unsent)).toBeGreaterThan(limit);
    expect(Number(unsent)).toBeLessThanOrEqual(limit + oneFrameBytes);
    expect(await service.metrics.registry.getSingleMetricAsString('errors_total')).toContain('errors_total{code="ORCH_ERR_SLOW_READER"} 1');
    for (let i = 0; i < 100 && (await liveSockets()) !== liveBefore; i += 1) await sleep(50);
    expect(await liveSockets()).toBe(liveBefore);

    const { socket: other } = await open(service);
    other.send({ type: 'message', messageId: 'after-cut', text: 'こんにちは' });
    expect(await other.waitFor('done')).toMatchObject({ turnCount: 1 });

    let stored = await service.deps.memory.loadSession(sessionId, { recentTurns: 2 });
    for (let i = 0; i < 300 && stored?.meta.turnCount !== 1; i += 1) {
      await sleep(100);
      stored = await service.deps.memory.loadSession(sessionId, { recentTurns: 2 });
    }
    expect(stored?.meta.turnCount).toBe(1);
    const [question, answer] = stored?.turns ?? [];
    expect(question).toMatchObject({ role: 'user', messageId: 'unread' });
    expect(answer?.content.length).toBeGreaterThan(0);
    expect(answer?.ts).toBeGreaterThan(Number(cut?.time));
  }, 60_000);

  it('keeps a client that reads, however many bytes it is sent in all', async () => {
    const { socket: reader } = await openRaw('reader');
    const cutsBefore = slowReaderLines().length;
    await reader.send([{ type: 'message', messageId: 'read', text: '週末に一気読みできる長編マンガを詳しく教えて' }]);
    let counted = 0;
    let pongs = 0;
    const countPongs = () => {
      for (; counted < reader.frames.length; counted += 1) if (reader.frames[counted]?.type === 'pong') pongs += 1;
      return pongs;
    };
    // Well over a hundred times the limit in pongs, each batch read before the next is sent.
    const batches = 64;
    for (let batch = 1; batch <= batches; batch += 1) {
      expect(await reader.send(pingBatch)).toBe(true);
      await reader.waitUntil(() => countPongs() >= batch * pingsPerBatch, `the pongs of batch ${batch}`);
    }
    expect(pongs * JSON.stringify({ ...ping, type: 'pong' }).length).toBeGreaterThan(64 * limit);
    await reader.waitUntil(() => reader.frames.some((frame) => frame.type === 'done'), 'done');
    expect(reader.frames.find((frame) => frame.type === 'done')).toMatchObject({ messageId: 'read', turnCount: 1 });
    expect(reader.frames.filter((frame) => frame.type === 'error')).toEqual([]);
    expect(reader.closeFrame).toBeNull();
    expect(slowReaderLines().length).toBe(cutsBefore);
    expect(await reader.send([{ type: 'ping', ts: 2 }])).toBe(true);
    await reader.waitUntil(() => reader.frames.some((frame) => frame.type === 'pong' && frame.ts === 2), 'a pong after the flood');
  });
});
