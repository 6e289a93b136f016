/**
 * JSON Schemas of protocol v1's REST bodies. Fastify validates requests and serialises
 * responses with them and @fastify/swagger publishes them as /openapi.json, so the contract a
 * partner's SDK is generated from is the code itself (seed 001 s2's spec drift).
 * `additionalProperties: false` on every response: an undocumented field is a contract break.
 */
export const errorBody = {
  type: 'object',
  description: 'Every error: a stable code and a message for the chat user (Japanese).',
  required: ['code', 'message'],
  additionalProperties: false,
  properties: { code: { type: 'string', pattern: '^ORCH_ERR_[A-Z_]+$' }, message: { type: 'string' } },
} as const;

export const errorResponses = { '4xx': errorBody, '5xx': errorBody } as const;

export const sessionIdParam = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', description: 'A session id: ^[a-zA-Z0-9_-]{20,}$' } },
} as const;

export const usage = {
  type: 'object',
  required: ['inputTokens', 'outputTokens'],
  additionalProperties: false,
  properties: { inputTokens: { type: 'integer', minimum: 0 }, outputTokens: { type: 'integer', minimum: 0 } },
} as const;

export const turn = {
  type: 'object',
  required: ['idx', 'role', 'content', 'messageId', 'ts'],
  additionalProperties: false,
  properties: {
    idx: { type: 'integer', minimum: 0 },
    role: { type: 'string', enum: ['user', 'assistant'] },
    content: { type: 'string' },
    messageId: { type: 'string' },
    ts: { type: 'integer', description: 'Epoch milliseconds.' },
  },
} as const;

export const createSessionBody = {
  type: 'object',
  required: ['customerId'],
  additionalProperties: false,
  properties: { customerId: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7e]+$' } },
} as const;

export const createdSession = {
  type: 'object',
  required: ['sessionId', 'token', 'expiresAt'],
  additionalProperties: false,
  properties: {
    sessionId: { type: 'string' },
    token: { type: 'string', description: 'Proves ownership: send it as `Authorization: Bearer <token>` and as the WebSocket `token`.' },
    expiresAt: { type: 'integer', description: 'Epoch seconds; refreshed by every turn; 0 when the session never expires.' },
  },
} as const;

export const turnsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    cursor: { type: 'string', minLength: 1, maxLength: 2048 },
  },
} as const;

export const turnsPage = {
  type: 'object',
  required: ['turns', 'nextCursor'],
  additionalProperties: false,
  properties: { turns: { type: 'array', items: turn }, nextCursor: { type: ['string', 'null'] } },
} as const;

export const chatBody = {
  type: 'object',
  required: ['sessionId', 'messageId', 'text'],
  additionalProperties: false,
  properties: {
    sessionId: { type: 'string' },
    messageId: { type: 'string', pattern: '^[\\x21-\\x7e]{1,128}$', description: 'Chosen by the client; a resend never makes a second turn.' },
    text: { type: 'string', description: 'At most 4000 characters (grapheme clusters).' },
  },
} as const;

export const chatReply = {
  type: 'object',
  required: ['reply', 'turnCount', 'usage', 'model', 'summarised'],
  additionalProperties: false,
  properties: {
    reply: { type: 'string' },
    turnCount: { type: 'integer', minimum: 1, description: 'Completed exchanges in the session, this one included.' },
    usage,
    model: { type: 'string' },
    summarised: { type: 'boolean' },
  },
} as const;

export const productIdParam = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

export const productChangeBody = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: { priceYen: { type: 'integer', minimum: 0 }, inStock: { type: 'boolean' } },
} as const;

export const product = {
  type: 'object',
  required: ['id', 'title', 'author', 'genre', 'genreJa', 'volumes', 'priceYen', 'synopsis', 'inStock'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' }, title: { type: 'string' }, author: { type: 'string' }, genre: { type: 'string' },
    genreJa: { type: 'string' }, volumes: { type: 'integer' }, priceYen: { type: 'integer' }, synopsis: { type: 'string' },
    inStock: { type: 'boolean' },
  },
} as const;

export const productChanged = {
  type: 'object',
  required: ['product', 'invalidatedResponses'],
  additionalProperties: false,
  properties: { product, invalidatedResponses: { type: 'integer', minimum: 0 } },
} as const;

export const status = {
  type: 'object',
  required: ['status'],
  additionalProperties: false,
  properties: { status: { type: 'string' } },
} as const;

export const bearer = [{ bearer: [] }];

/** Catalog changes: the operator token (GAMEDAY_OPERATOR_TOKEN), not a session's. */
export const operator = [{ operator: [] }];

/** The operator check's answers, documented by status so a client can tell them from other 4xx. */
export const operatorErrorResponses = {
  401: { ...errorBody, description: 'No Authorization: Bearer header (ORCH_ERR_UNAUTHENTICATED).' },
  403: {
    ...errorBody,
    description: 'Not the operator token (ORCH_ERR_NOT_OPERATOR), or the service has none configured and refuses every change '
      + '(ORCH_ERR_OPERATOR_TOKEN_NOT_CONFIGURED).',
  },
} as const;
