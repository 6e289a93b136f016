import { performance } from 'node:perf_hooks';
import { AdminInputError, numberField, objectBody, rejectUnknownFields } from './admin-input.js';
import { BodyTooLargeError, type Exchange } from './dual-protocol.js';
import type { EmulatorState } from './emulator-state.js';
import { mergeFaults, noFaults } from './faults.js';
import { modelFamilies, type QuotaSettings } from './quotas.js';

/**
 * The emulator's control panel under /_admin, on the model port: chaos switches faults and
 * quotas, the harness reads records and stats. JSON in and out.
 */
export const adminPrefix = '/_admin';

const maxAdminBodyBytes = 64 * 1024;
const defaultRecordPage = 1_000;
const maxRecordPage = 10_000;

type Handler = (state: EmulatorState, input: { body: () => Promise<unknown>; query: URLSearchParams }) =>
  Promise<unknown> | unknown;

function sendJson(exchange: Exchange, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  if (exchange.ended) return;
  exchange.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  exchange.end(JSON.stringify(payload));
}

function quotasView(state: EmulatorState) {
  const usage = Object.fromEntries(modelFamilies.map((family) => [family, state.quotas.usage(family)]));
  return { ...state.quotas.limits, windowMs: state.quotas.windowMs, usage };
}

function mergeQuotas(current: QuotaSettings, patch: unknown): QuotaSettings {
  const record = objectBody(patch, 'the quotas body');
  rejectUnknownFields(record, modelFamilies, '');
  const next = structuredClone(current);
  for (const family of modelFamilies) {
    if (!(family in record)) continue;
    const limits = objectBody(record[family], `"${family}"`);
    rejectUnknownFields(limits, ['requestsPerMinute', 'tokensPerMinute'], `${family}.`);
    for (const field of ['requestsPerMinute', 'tokensPerMinute'] as const) {
      if (field in limits) next[family][field] = numberField(limits[field], `${family}.${field}`, { min: 0, integer: true });
    }
  }
  return next;
}

function queryInteger(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  return numberField(/^\d+$/.test(raw) ? Number(raw) : raw, name, { min: 0, max, integer: true });
}

const routes: Record<string, Partial<Record<string, Handler>>> = {
  '/health': {
    GET: (state) => ({ status: 'ok', activeStreams: state.activeStreams, uptimeMs: Math.round(performance.now() - state.startedAt) }),
  },
  '/faults': {
    GET: (state) => state.faults,
    PUT: async (state, { body }) => {
      state.faults = mergeFaults(state.faults, await body());
      return state.faults;
    },
    DELETE: (state) => {
      state.faults = { ...noFaults };
      return state.faults;
    },
  },
  '/quotas': {
    GET: (state) => quotasView(state),
    PUT: async (state, { body }) => {
      state.quotas.limits = mergeQuotas(state.quotas.limits, await body());
      return quotasView(state);
    },
  },
  '/records': {
    GET: (state, { query }) => state.records.since(
      queryInteger(query, 'since', 0, Number.MAX_SAFE_INTEGER),
      Math.max(1, queryInteger(query, 'limit', defaultRecordPage, maxRecordPage)),
    ),
  },
  '/stats': {
    GET: (state) => ({
      ...state.records.stats(),
      activeStreams: state.activeStreams,
      activeCalls: state.activeCallCount,
      chunkTickMs: state.chunkTickMs(),
      uptimeMs: Math.round(performance.now() - state.startedAt),
    }),
  },
  '/reset': {
    POST: (state) => {
      state.reset();
      return { status: 'reset' };
    },
  },
};

async function readAdminBody(exchange: Exchange): Promise<unknown> {
  let raw: Buffer;
  try {
    raw = await exchange.readBody(maxAdminBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new AdminInputError(error.message);
    throw error;
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new AdminInputError('the body is not valid JSON');
  }
}

/** `path` is below the prefix, e.g. "/faults". */
export async function handleAdmin(exchange: Exchange, path: string, query: URLSearchParams, state: EmulatorState): Promise<void> {
  const methods = routes[path];
  if (!methods) {
    sendJson(exchange, 404, { message: `no admin endpoint ${adminPrefix}${path}; try ${Object.keys(routes).map((route) => adminPrefix + route).join(', ')}` });
    return;
  }
  const handler = methods[exchange.method];
  if (!handler) {
    const allowed = Object.keys(methods).join(', ');
    sendJson(exchange, 405, { message: `${adminPrefix}${path} accepts ${allowed}` }, { allow: allowed });
    return;
  }
  try {
    sendJson(exchange, 200, await handler(state, { body: () => readAdminBody(exchange), query }));
  } catch (error) {
    if (!(error instanceof AdminInputError)) throw error;
    sendJson(exchange, 400, { message: error.message });
  }
}
