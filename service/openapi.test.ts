import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractFrom, type Contract } from '../test/openapi-contract.js';
import { startServiceStack, type RunningService, type ServiceStack } from '../test/service-app.js';
import { testOperatorToken } from '../test/service-deps.js';

let stack: ServiceStack;
let service: RunningService;
let contract: Contract;

beforeAll(async () => {
  stack = await startServiceStack();
  service = await stack.start();
  contract = contractFrom((await service.app.inject({ method: 'GET', url: '/openapi.json' })).json());
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const protocolV1 = [
  'POST /v1/sessions', 'GET /v1/sessions/{id}/turns', 'DELETE /v1/sessions/{id}', 'POST /v1/chat', 'POST /v1/products/{id}',
  'GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /openapi.json',
];

describe('the OpenAPI contract (seed 001 s2)', () => {
  it('documents every route of protocol v1, generated from the route schemas', async () => {
    const document = (await service.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { openapi: string };
    expect(document.openapi).toMatch(/^3\./);
    expect(contract.operations().sort()).toEqual([...protocolV1].sort());
  });

  it('every response of a tour through the API, errors included, validates against /openapi.json', async () => {
    const before = service.checkedResponses;
    const created = await service.rest('POST', '/v1/sessions', { body: { customerId: 'contract' } });
    const { sessionId, token } = created.body as { sessionId: string; token: string };
    await service.rest('POST', '/v1/sessions', { body: { customerId: 42 } });
    await service.rest('POST', '/v1/chat', { token, body: { sessionId, messageId: 'contract-1', text: 'おすすめは？' } });
    await service.rest('POST', '/v1/chat', { token, body: { sessionId, messageId: 'contract-2', text: 'A'.repeat(4_001) } });
    await service.rest('POST', '/v1/chat', { body: { sessionId, messageId: 'contract-3', text: 'こんにちは' } });
    await service.rest('GET', `/v1/sessions/${sessionId}/turns?limit=1`, { token });
    await service.rest('GET', `/v1/sessions/${sessionId}/turns?cursor=not-a-cursor`, { token });
    await service.rest('GET', `/v1/sessions/${sessionId}/turns`, { token: 'wrong' });
    await service.rest('POST', '/v1/products/no-such-product', { token: testOperatorToken, body: { inStock: false } });
    await service.rest('POST', '/v1/products/x', { token: testOperatorToken, body: {} });
    await service.rest('POST', '/v1/products/mg-003', { token: testOperatorToken, body: { priceYen: 1_200 } });
    await service.rest('POST', '/v1/products/mg-003', { body: { inStock: false } });
    await service.rest('POST', '/v1/products/mg-003', { token: 'not-the-operator-token', body: { inStock: false } });
    await service.rest('GET', '/healthz');
    await service.rest('GET', '/readyz');
    await service.rest('GET', '/metrics');
    await service.rest('DELETE', `/v1/sessions/${sessionId}`, { token });
    await service.rest('DELETE', `/v1/sessions/${sessionId}`, { token });
    expect(service.checkedResponses - before).toBe(18);
  });

  it('documents the operator token on catalog changes, with their 401 and 403', async () => {
    const document = (await service.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      components: { securitySchemes: Record<string, { type: string; scheme: string }> };
      paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>;
    };
    expect(document.components.securitySchemes.operator).toMatchObject({ type: 'http', scheme: 'bearer' });
    const change = document.paths['/v1/products/{id}']?.post;
    expect(change?.security).toEqual([{ operator: [] }]);
    expect(Object.keys(change?.responses ?? {})).toEqual(expect.arrayContaining(['401', '403']));
    const refused = { code: 'ORCH_ERR_OPERATOR_TOKEN_NOT_CONFIGURED', message: 'x' };
    for (const status of [401, 403]) {
      expect(contract.check({ method: 'POST', path: '/v1/products/mg-001', status, contentType: 'application/json', body: refused })).toEqual([]);
    }
    // Session creation stays open by design: a customer has no credential before it.
    expect(document.paths['/v1/sessions']?.post?.security).toBeUndefined();
  });

  it('fails a response that carries an undocumented field (the partner SDK incident)', async () => {
    const created = await service.rest('POST', '/v1/sessions', { body: { customerId: 'drift' } });
    const { sessionId, token } = created.body as { sessionId: string; token: string };
    const chat = await service.rest('POST', '/v1/chat', { token, body: { sessionId, messageId: 'drift-1', text: '新刊は？' } });
    const check = (body: unknown) => contract.check({ method: 'POST', path: '/v1/chat', status: 200, contentType: 'application/json', body });
    expect(check(chat.body)).toEqual([]);
    const drifted = { ...(chat.body as object), metadata: { quotaRemaining: 10 } };
    expect(check(drifted).join('\n')).toMatch(/additional properties.*metadata/);
    const { usage: _usage, ...missing } = chat.body as Record<string, unknown>;
    expect(check(missing).join('\n')).toMatch(/usage/);
  });

  it('fails an undocumented status, content type or path', () => {
    const error = { code: 'ORCH_ERR_INTERNAL', message: 'x' };
    expect(contract.check({ method: 'DELETE', path: '/v1/sessions/abc', status: 200, contentType: 'application/json', body: {} })).not.toEqual([]);
    expect(contract.check({ method: 'GET', path: '/healthz', status: 200, contentType: 'text/html', body: '<p>ok</p>' })).not.toEqual([]);
    expect(contract.check({ method: 'GET', path: '/v2/anything', status: 200, contentType: 'application/json', body: {} })).not.toEqual([]);
    expect(contract.check({ method: 'POST', path: '/v1/chat', status: 503, contentType: 'application/json', body: error })).toEqual([]);
    expect(contract.check({ method: 'POST', path: '/v1/chat', status: 503, contentType: 'application/json', body: { ...error, retryAfter: 3 } })).not.toEqual([]);
  });
});
