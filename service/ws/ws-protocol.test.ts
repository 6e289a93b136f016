import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seed004Payloads } from '../input/seed-004-payloads.js';
import { startServiceStack, type RunningService, type ServiceStack } from '../../test/service-app.js';
import { connectTestSocket, type TestSocket } from '../../test/ws-test-client.js';

let stack: ServiceStack;
let hardened: RunningService;
let utf16: RunningService;
const sockets = new Set<TestSocket>();

beforeAll(async () => {
  stack = await startServiceStack({ timeScale: 0.05, targetOutputTokens: 200 });
  hardened = await stack.start();
  utf16 = await stack.start({ GAMEDAY_NAIVE: 'utf16Length' });
}, 120_000);

afterEach(async () => {
  for (const socket of sockets) await socket.close();
  sockets.clear();
});

afterAll(async () => {
  await stack?.stop();
});

async function openSession(service: RunningService, params?: (ids: { sessionId: string; token: string }) => Record<string, string>) {
  const { meta, token } = await service.deps.memory.createSession({ customerId: 'ws' });
  const ids = { sessionId: meta.sessionId, token };
  const socket = await connectTestSocket(service.wsUrl, params ? params(ids) : ids);
  sockets.add(socket);
  return { socket, ...ids };
}

describe('WebSocket protocol v1', () => {
  it('says ready, streams chunks over time, then a durable done whose turnCount counts up', async () => {
    const { socket, sessionId } = await openSession(hardened);
    expect(await socket.waitFor('ready')).toMatchObject({ sessionId, turnCount: 0 });
    for (let k = 1; k <= 2; k += 1) {
      socket.send({ type: 'message', messageId: `ws-${k}`, text: `バトルマンガのおすすめは？${k}` });
      const done = await socket.waitFor('done', (frame) => frame.messageId === `ws-${k}`);
      const chunks = socket.frames.filter((frame) => frame.type === 'chunk' && frame.messageId === `ws-${k}`);
      expect(chunks.length).toBeGreaterThanOrEqual(2);
      expect(chunks.map((chunk) => (chunk as { seq: number }).seq)).toEqual(chunks.map((_, i) => i));
      expect(chunks.every((chunk) => chunk.at <= done.at)).toBe(true);
      expect((chunks.at(-1)?.at ?? 0) - (chunks[0]?.at ?? 0)).toBeGreaterThan(0);
      expect(done).toMatchObject({ turnCount: k, summarised: false, usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number) } });
      expect(done.model).toContain('sonnet');
    }
    const stored = await hardened.deps.memory.loadSession(sessionId, { recentTurns: 10 });
    expect(stored?.meta.turnCount).toBe(2);
  });

  it('a resent messageId makes one turn and replays the same reply', async () => {
    const { socket, sessionId } = await openSession(hardened);
    socket.send({ type: 'message', messageId: 'resend', text: '学園マンガは？' });
    const first = await socket.waitFor('done', (frame) => frame.messageId === 'resend');
    const firstReply = socket.frames.filter((frame) => frame.type === 'chunk').map((frame) => (frame as { text: string }).text).join('');
    const before = socket.frames.length;
    socket.send({ type: 'message', messageId: 'resend', text: '学園マンガは？' });
    const second = await socket.waitFor('done', (frame) => frame.messageId === 'resend' && frame.at > first.at);
    const replayed = socket.frames.slice(before).filter((frame) => frame.type === 'chunk').map((frame) => (frame as { text: string }).text).join('');
    expect(replayed).toBe(firstReply);
    expect({ ...second, at: 0 }).toEqual({ ...first, at: 0 });
    expect((await hardened.deps.memory.loadSession(sessionId, { recentTurns: 10 }))?.meta.turnCount).toBe(1);
  });

  it('answers a client ping with a pong carrying its ts', async () => {
    const { socket } = await openSession(hardened);
    socket.send({ type: 'ping', ts: 12345 });
    expect(await socket.waitFor('pong')).toMatchObject({ ts: 12345 });
  });

  it.each(seed004Payloads)('seed 004 payload "$name" over the socket, hardened and utf16Length', async ({ name, text, hardened: okHardened, utf16Length: okUtf16 }) => {
    for (const [service, ok] of [[hardened, okHardened], [utf16, okUtf16]] as const) {
      const { socket } = await openSession(service);
      const messageId = `seed-${name.replace(/\W/g, '_')}`;
      socket.send({ type: 'message', messageId, text });
      if (ok) {
        expect(await socket.waitFor('done', (frame) => frame.messageId === messageId)).toMatchObject({ turnCount: 1 });
      } else {
        expect(await socket.waitFor('error', (frame) => frame.messageId === messageId)).toEqual({
          type: 'error', messageId, code: 'ORCH_ERR_MESSAGE_TOO_LONG', message: 'メッセージが長すぎます (最大4000文字)', at: expect.any(Number),
        });
      }
    }
  });

  it('answers malformed, mistyped, unknown and binary frames with coded errors and stays open', async () => {
    const { socket } = await openSession(hardened);
    await socket.waitFor('ready');
    const bad: Array<[unknown, string]> = [
      ['{not json', 'ORCH_ERR_MALFORMED_FRAME'],
      ['[1,2]', 'ORCH_ERR_MALFORMED_FRAME'],
      [{ type: 'message', messageId: 42, text: 'x' }, 'ORCH_ERR_MALFORMED_FRAME'],
      [{ type: 'message', messageId: 'typed', text: 7 }, 'ORCH_ERR_MALFORMED_FRAME'],
      [{ type: 'ping', ts: 'now' }, 'ORCH_ERR_MALFORMED_FRAME'],
      [{ type: 'subscribe' }, 'ORCH_ERR_MALFORMED_FRAME'],
      [{ type: 'message', messageId: 'blank', text: '   ' }, 'ORCH_ERR_EMPTY_MESSAGE'],
      [Buffer.from([1, 2, 3]), 'ORCH_ERR_MALFORMED_FRAME'],
    ];
    for (const [frame] of bad) socket.send(frame);
    for (let i = 0; i < bad.length; i += 1) {
      await socket.waitFor('error', () => socket.frames.filter((frame) => frame.type === 'error').length > i);
    }
    const codes = socket.frames.filter((frame) => frame.type === 'error').map((frame) => (frame as { code: string }).code);
    // A message frame's checks run in the turn, so its error may come after the next frame's.
    expect(codes.sort()).toEqual(bad.map(([, code]) => code).sort());
    expect(socket.frames.find((frame) => frame.type === 'error' && frame.messageId === 'typed')).toBeDefined();
    socket.send({ type: 'message', messageId: 'after-bad', text: 'こんにちは' });
    expect(await socket.waitFor('done', (frame) => frame.messageId === 'after-bad')).toMatchObject({ turnCount: 1 });
  });

  it('closes an over-size frame with 1009 after a coded error, and the worker keeps serving', async () => {
    const { socket } = await openSession(hardened);
    await socket.waitFor('ready');
    socket.send({ type: 'message', messageId: 'big', text: 'あ'.repeat(30_000) });
    expect(await socket.waitFor('error')).toMatchObject({ code: 'ORCH_ERR_FRAME_TOO_LARGE' });
    expect((await socket.closed).code).toBe(1009);

    const huge = await openSession(hardened);
    huge.socket.send({ type: 'message', messageId: 'huge', text: 'x'.repeat(1 << 20) });
    expect((await huge.socket.closed).code).toBe(1009);

    const after = await openSession(hardened);
    after.socket.send({ type: 'message', messageId: 'still-alive', text: 'こんにちは' });
    expect(await after.socket.waitFor('done')).toMatchObject({ turnCount: 1 });
  });

  it('refuses a second message while one is in flight on the session', async () => {
    const { socket } = await openSession(hardened);
    socket.send({ type: 'message', messageId: 'one', text: 'SFマンガは？' });
    socket.send({ type: 'message', messageId: 'two', text: 'ほかには？' });
    expect(await socket.waitFor('error', (frame) => frame.messageId === 'two')).toMatchObject({ code: 'ORCH_ERR_CONCURRENT_TURN' });
    expect(await socket.waitFor('done', (frame) => frame.messageId === 'one')).toMatchObject({ turnCount: 1 });
  });

  it.each([
    ['a malformed session id', (ids: { sessionId: string; token: string }) => ({ sessionId: 'bad id', token: ids.token }), 4400, 'ORCH_ERR_INVALID_SESSION_ID'],
    ['no token', (ids: { sessionId: string; token: string }) => ({ sessionId: ids.sessionId }), 4401, 'ORCH_ERR_UNAUTHENTICATED'],
    ['a wrong token', (ids: { sessionId: string; token: string }) => ({ sessionId: ids.sessionId, token: 'not-the-token' }), 4404, 'ORCH_ERR_SESSION_NOT_FOUND'],
    ['an unknown session', (ids: { sessionId: string; token: string }) => ({ sessionId: 'z'.repeat(24), token: ids.token }), 4404, 'ORCH_ERR_SESSION_NOT_FOUND'],
  ])('refuses %s with an error frame, then closes with 4000 + its HTTP status', async (_name, params, closeCode, code) => {
    const { socket } = await openSession(hardened, params);
    expect(await socket.waitFor('error')).toMatchObject({ code });
    expect((await socket.closed).code).toBe(closeCode);
    expect(socket.frames.some((frame) => frame.type === 'ready')).toBe(false);
  });

  it('refuses a wrong token from META alone, without reading the session\'s turns or its cached copy', async () => {
    const reads = () => { const { cacheHits, cacheMisses } = hardened.deps.memory.stats(); return cacheHits + cacheMisses; };
    const before = reads();
    const { socket } = await openSession(hardened, (ids) => ({ sessionId: ids.sessionId, token: 'not-the-token' }));
    expect((await socket.closed).code).toBe(4404);
    expect(reads()).toBe(before);
  });

  it('counts live sockets', async () => {
    const gauge = async () => Number(/ws_live_sockets (\d+)/.exec(await hardened.metrics.registry.getSingleMetricAsString('ws_live_sockets'))?.[1]);
    const before = await gauge();
    const { socket } = await openSession(hardened);
    await socket.waitFor('ready');
    expect(await gauge()).toBe(before + 1);
    await socket.close();
    for (let i = 0; i < 50 && (await gauge()) !== before; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await gauge()).toBe(before);
  });
});
