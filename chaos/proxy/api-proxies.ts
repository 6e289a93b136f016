import { decodeGoStruct, decodeJsonBody, type GoStruct } from './api-bodies.js';
import { apiErrors } from './api-errors.js';
import { proxyJson } from './api-json.js';
import { emptyResponse, jsonResponse, type ApiResponse } from './api-response.js';
import type { RouteContext } from './api-route-context.js';

/** The proxy endpoints, as api.go answers them. */

/** Go's toxiproxy.Proxy as the decoder sees it (its Logger field is exported too). */
export const proxyStruct: GoStruct = {
  name: 'Proxy',
  fields: {
    name: { type: 'string' },
    listen: { type: 'string' },
    upstream: { type: 'string' },
    enabled: { type: 'bool' },
    Logger: { type: 'object', goType: 'zerolog.Logger' },
  },
};

/** What a client gets for GET /version; clients parse it, so it is the real server's, byte for byte. */
export const versionBody = '{"version": "2.12.0"}\n';

export function version(): Promise<ApiResponse> {
  return Promise.resolve({ status: 200, headers: { 'Content-Type': 'application/json;charset=utf-8' }, body: versionBody });
}

export function listProxies({ registry }: RouteContext): Promise<ApiResponse> {
  const all = Object.fromEntries(registry.sorted().map((proxy) => [proxy.name, proxyJson(proxy)]));
  return Promise.resolve(jsonResponse(200, all));
}

export async function createProxy({ registry, body }: RouteContext): Promise<ApiResponse> {
  const fields = decodeGoStruct(decodeJsonBody(await body()), proxyStruct, 'toxiproxy.Proxy');
  const name = (fields.name as string | undefined) ?? '';
  const upstream = (fields.upstream as string | undefined) ?? '';
  if (name === '') throw apiErrors.missingField('name');
  if (upstream === '') throw apiErrors.missingField('upstream');
  const proxy = await registry.create({
    name,
    listen: (fields.listen as string | undefined) ?? '',
    upstream,
    enabled: (fields.enabled as boolean | undefined) ?? true,
  });
  return jsonResponse(201, proxyJson(proxy));
}

export function showProxy({ registry, params }: RouteContext): Promise<ApiResponse> {
  return Promise.resolve(jsonResponse(200, proxyJson(registry.get(params.proxy ?? ''))));
}

/** POST (deprecated) and PATCH: fields left out keep their values; `name` is ignored. */
export async function updateProxy({ registry, params, body }: RouteContext): Promise<ApiResponse> {
  const proxy = registry.get(params.proxy ?? '');
  const fields = decodeGoStruct(decodeJsonBody(await body()), proxyStruct, 'toxiproxy.Proxy');
  await proxy.update({
    listen: (fields.listen as string | undefined) ?? proxy.listen,
    upstream: (fields.upstream as string | undefined) ?? proxy.upstream,
    enabled: (fields.enabled as boolean | undefined) ?? proxy.enabled,
  });
  return jsonResponse(200, proxyJson(proxy));
}

export async function deleteProxy({ registry, params }: RouteContext): Promise<ApiResponse> {
  await registry.remove(params.proxy ?? '');
  return emptyResponse(204);
}

export async function resetAll({ registry }: RouteContext): Promise<ApiResponse> {
  await registry.reset();
  return emptyResponse(204);
}
