import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceStack, type RunningService, type ServiceStack } from '../../test/service-app.js';
import { testObservability, testOperatorToken, testSigningSecret } from '../../test/service-deps.js';
import { loadServiceConfig } from '../config.js';

// Issue 14: the catalog is the operator's. A customer's session token, a guess, or nothing at
// all must not change a price, and a service started without a token changes nothing.
let stack: ServiceStack;
let service: RunningService;

beforeAll(async () => {
  stack = await startServiceStack();
  service = await stack.start();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

async function newSession(customerId: string): Promise<{ sessionId: string; token: string }> {
  const created = await service.rest('POST', '/v1/sessions', { body: { customerId } });
  return created.body as { sessionId: string; token: string };
}
describe('catalog changes need the operator token', () => {
  const change = { priceYen: 980 };

  it('refuses a change without a token (401) or with another (403), and leaves the product as it was', async () => {
    const changed: string[] = [];
    service.deps.retrieval.onProductChange((product) => changed.push(product.id));
    const { token: sessionToken } = await newSession('not-an-operator');
    const cases: Array<[string | undefined, number, string]> = [
      [undefined, 401, 'ORCH_ERR_UNAUTHENTICATED'],
      ['wrong-operator-token-0123456789', 403, 'ORCH_ERR_NOT_OPERATOR'],
      [sessionToken, 403, 'ORCH_ERR_NOT_OPERATOR'],
      [testOperatorToken.slice(0, -1), 403, 'ORCH_ERR_NOT_OPERATOR'],
    ];
    for (const [token, status, code] of cases) {
      const response = await service.rest('POST', '/v1/products/mg-001', { ...(token === undefined ? {} : { token }), body: change });
      expect([token, response.status, response.body]).toEqual([token, status, expect.objectContaining({ code })]);
    }
    // Checked before the body: a caller without the token is not told what a valid change looks like.
    expect((await service.rest('POST', '/v1/products/mg-001', { body: {} })).status).toBe(401);
    expect(changed).toEqual([]);
  });

  it('applies a change with the operator token and logs who changed what at info, never the token', async () => {
    const { logger, lines } = testObservability();
    const logged = await stack.start({}, { logger });
    const response = await logged.rest('POST', '/v1/products/mg-002', { token: testOperatorToken, body: { ...change, inStock: false } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ product: { id: 'mg-002', priceYen: 980, inStock: false }, invalidatedResponses: 0 });
    expect(logged.deps.retrieval.updateProduct('mg-002', {})).toMatchObject({ priceYen: 980, inStock: false });
    const line = lines.find((entry) => entry.msg === 'the operator changed a product');
    expect(line).toMatchObject({ level: 30, productId: 'mg-002', change: { priceYen: 980, inStock: false }, from: '127.0.0.1' });
    expect(JSON.stringify(lines)).not.toContain(testOperatorToken);
    await logged.close();
  });

  it('will not start with a guessable operator token', () => {
    const env = { SESSION_SIGNING_SECRET: testSigningSecret, GAMEDAY_OPERATOR_TOKEN: 'short-token' };
    expect(() => loadServiceConfig(env)).toThrow(/ORCH_ERR_CONFIG: GAMEDAY_OPERATOR_TOKEN .*at least 16/);
    expect(loadServiceConfig({ ...env, GAMEDAY_OPERATOR_TOKEN: '' }).operatorToken).toBeUndefined();
  });

  it('refuses every change, the right token or none, when the service has no operator token configured', async () => {
    const unconfigured = await stack.start({ GAMEDAY_OPERATOR_TOKEN: '' });
    for (const token of [testOperatorToken, undefined]) {
      const response = await unconfigured.rest('POST', '/v1/products/mg-001', { ...(token === undefined ? {} : { token }), body: change });
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ code: 'ORCH_ERR_OPERATOR_TOKEN_NOT_CONFIGURED' });
    }
    await unconfigured.close();
  });
});
