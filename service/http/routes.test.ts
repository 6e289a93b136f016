import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceStack, type RunningService, type ServiceStack } from '../../test/service-app.js';
import { testObservability } from '../../test/service-deps.js';

let stack: ServiceStack;
let service: RunningService;

beforeAll(async () => {
  stack = await startServiceStack();
  service = await service0();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

async function service0() {
  return stack.start();
}

async function newSession(customerId = 'customer-rest'): Promise<{ sessionId: string; token: string }> {
  const created = await service.rest('POST', '/v1/sessions', { body: { customerId } });
  expect(created.status).toBe(201);
  return created.body as { sessionId: string; token: string };
}

type ChatBody = { reply: string; turnCount: number; usage: { inputTokens: number; outputTokens: number }; model: string };

describe('REST', () => {
  it('creates a session that expires in about 24 hours', async () => {
    const created = await service.rest('POST', '/v1/sessions', { body: { customerId: 'c-1' } });
    const body = created.body as { sessionId: string; token: string; expiresAt: number };
    expect(created.status).toBe(201);
    expect(body.sessionId).toMatch(/^[a-zA-Z0-9_-]{20,}$/);
    expect(body.expiresAt - Date.now() / 1_000).toBeGreaterThan(86_000);
    expect(created.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a bad body with a coded 400', async () => {
    const missing = await service.rest('POST', '/v1/sessions', { body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'ORCH_ERR_BAD_REQUEST' });
    const notJson = await service.rest('POST', '/v1/sessions', { rawBody: '{"customerId":' });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ code: 'ORCH_ERR_BAD_REQUEST' });
  });

  it('chats: a reply, a turn count that counts up, and Cache-Control: no-store', async () => {
    const { sessionId, token } = await newSession();
    for (const [i, text] of ['おすすめの少年マンガは？', 'その中で一番安いのは？'].entries()) {
      const chat = await service.rest('POST', '/v1/chat', { token, body: { sessionId, messageId: `m-${i}`, text } });
      expect(chat.status).toBe(200);
      expect(chat.headers.get('cache-control')).toBe('no-store');
      const body = chat.body as ChatBody;
      expect(body.turnCount).toBe(i + 1);
      expect(body.reply.length).toBeGreaterThan(0);
      expect(body.usage.outputTokens).toBeGreaterThan(0);
      expect(body.model).toContain('sonnet');
    }
  });

  it('a retried messageId makes one turn and replays the same reply', async () => {
    const { sessionId, token } = await newSession();
    const send = () => service.rest('POST', '/v1/chat', { token, body: { sessionId, messageId: 'retry-1', text: '冒険マンガを教えて' } });
    const first = (await send()).body as ChatBody;
    const again = (await send()).body as ChatBody;
    expect(again).toEqual(first);
    const history = await service.rest('GET', `/v1/sessions/${sessionId}/turns`, { token });
    expect((history.body as { turns: unknown[] }).turns).toHaveLength(2);
  });

  it('checks the owner: bad id 400, no token 401, and another customer\'s session 404 exactly as an unknown one', async () => {
    const { sessionId, token } = await newSession();
    const other = await newSession('someone-else');
    const cases: Array<[string, string | undefined, number, string]> = [
      ['short-id', token, 400, 'ORCH_ERR_INVALID_SESSION_ID'],
      [sessionId, undefined, 401, 'ORCH_ERR_UNAUTHENTICATED'],
      [sessionId, other.token, 404, 'ORCH_ERR_SESSION_NOT_FOUND'],
      ['a'.repeat(24), token, 404, 'ORCH_ERR_SESSION_NOT_FOUND'],
    ];
    for (const [id, bearer, status, code] of cases) {
      const turns = await service.rest('GET', `/v1/sessions/${id}/turns`, bearer === undefined ? {} : { token: bearer });
      expect([id, turns.status, turns.body]).toEqual([id, status, expect.objectContaining({ code })]);
      const chat = await service.rest('POST', '/v1/chat', { ...(bearer === undefined ? {} : { token: bearer }), body: { sessionId: id, messageId: 'x', text: 'こんにちは' } });
      expect([id, chat.status]).toEqual([id, status]);
      const deleted = await service.rest('DELETE', `/v1/sessions/${id}`, bearer === undefined ? {} : { token: bearer });
      expect([id, deleted.status]).toEqual([id, status]);
    }
    const unknown = await service.rest('GET', `/v1/sessions/${'a'.repeat(24)}/turns`, { token });
    const someoneElses = await service.rest('GET', `/v1/sessions/${sessionId}/turns`, { token: other.token });
    expect(someoneElses.body).toEqual(unknown.body);
  });

  it('refuses an over-long message with the Japanese error', async () => {
    const { sessionId, token } = await newSession();
    const chat = await service.rest('POST', '/v1/chat', { token, body: { sessionId, messageId: 'long', text: 'A'.repeat(4001) } });
    expect(chat.status).toBe(400);
    expect(chat.body).toEqual({ code: 'ORCH_ERR_MESSAGE_TOO_LONG', message: 'メッセージが長すぎます (最大4000文字)' });
    const huge = await service.rest('POST', '/v1/chat', { token, body: { sessionId, messageId: 'huge', text: 'あ'.repeat(200_000) } });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ code: 'ORCH_ERR_FRAME_TOO_LARGE' });
  });

  it('pages through the history in order, without gaps or overlaps, then deletes it', async () => {
    const { sessionId, token } = await newSession();
    for (let i = 0; i < 4; i += 1) {
      const chat = await service.rest('POST', '/v1/chat', { token, body: { sessionId, messageId: `page-${i}`, text: `質問${i}: ファンタジーは？` } });
      expect(chat.status).toBe(200);
    }
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const query: string = cursor === null ? '?limit=3' : `?limit=3&cursor=${encodeURIComponent(cursor)}`;
      const response = await service.rest('GET', `/v1/sessions/${sessionId}/turns${query}`, { token });
      const body = response.body as { turns: Array<{ idx: number }>; nextCursor: string | null };
      expect(body.turns.length).toBeLessThanOrEqual(3);
      seen.push(...body.turns.map((turn) => turn.idx));
      cursor = body.nextCursor;
      if (cursor === null) break;
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const badLimit = await service.rest('GET', `/v1/sessions/${sessionId}/turns?limit=500`, { token });
    expect(badLimit.status).toBe(400);

    const deleted = await service.rest('DELETE', `/v1/sessions/${sessionId}`, { token });
    expect(deleted.status).toBe(204);
    const after = await service.rest('GET', `/v1/sessions/${sessionId}/turns`, { token });
    expect(after.status).toBe(404);
  });

  it('answers health, readiness, metrics and a coded 404', async () => {
    expect((await service.rest('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await service.rest('GET', '/readyz')).body).toEqual({ status: 'ready' });
    const metrics = await service.rest('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(String(metrics.body)).toContain('chat_ttft_seconds');
    expect(String(metrics.body)).toContain('errors_total{code="ORCH_ERR_MESSAGE_TOO_LONG"}');
    const missing = await fetch(`${service.baseUrl}/v1/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'ORCH_ERR_NOT_FOUND' });
  });
});

describe('REST, what it keeps to itself and how long it waits', () => {
  it('logs a refused request by its path: a token in the query never reaches the log', async () => {
    const { logger, lines } = testObservability();
    const logged = await stack.start({}, { logger });
    // A plain GET where an upgrade belongs, as a misconfigured client or a scanner sends it.
    const response = await fetch(`${logged.baseUrl}/v1/ws?sessionId=abcdefghijklmnopqrstu&token=secret-token-in-a-query`);
    expect(response.status).toBeGreaterThanOrEqual(400);
    await logged.close();
    expect(lines.some((line) => line.path === '/v1/ws')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('secret-token-in-a-query');
  });

  it('cuts a body trickled slower than the request timeout instead of holding the socket', async () => {
    const slow = await stack.start({ GAMEDAY_HTTP_REQUEST_TIMEOUT_MS: '300' });
    const { port } = new URL(slow.baseUrl);
    const socket = connect(Number(port), '127.0.0.1');
    socket.write('POST /v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"cust');
    let answer = '';
    socket.on('data', (data: Buffer) => { answer += data.toString('utf8'); });
    const startedAt = performance.now();
    await new Promise<void>((resolve) => {
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
      setTimeout(() => { socket.destroy(); resolve(); }, 5_000);
    });
    await slow.close();
    // Node answers 408 Request Timeout and closes; without a timeout the socket stays open until the 5 s give-up.
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(performance.now() - startedAt).toBeLessThan(4_000);
  });
});
