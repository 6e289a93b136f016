import { decodeGoStruct, decodeJsonBody, jsonKind, type GoStruct } from './api-bodies.js';
import { type ApiError, apiErrors, asApiError } from './api-errors.js';
import { proxyJson } from './api-json.js';
import { proxyStruct } from './api-proxies.js';
import type { ApiResponse } from './api-response.js';
import type { RouteContext } from './api-route-context.js';
import { encodeGoJson, type GoJsonValue } from './go-json.js';
import type { ProxyInput, ProxyRegistry } from './proxy-registry.js';
import type { TcpProxy } from './proxy.js';

/**
 * POST /populate, which answers differently from every other endpoint: always JSON (also its
 * errors, with no trailing newline), always with the proxies it made or kept so far, and
 * `null` rather than `[]` when there are none.
 */

// Go decodes each entry into an unnamed struct embedding Proxy, whose name in errors is empty.
const entryStruct: GoStruct = { name: '', fields: proxyStruct.fields };
const entryType = 'struct { toxiproxy.Proxy; Enabled *bool "json:\\"enabled\\"" }';

/** Every entry checked before any proxy is touched: an invalid one creates nothing. */
function decodeEntries(text: string): ProxyInput[] {
  const value = decodeJsonBody(text);
  if (value === null) return [];
  if (!Array.isArray(value)) throw apiErrors.badRequestBody(`json: cannot unmarshal ${jsonKind(value)} into Go value of type []${entryType}`);
  const entries = value.map((item: unknown) => decodeGoStruct(item, entryStruct, entryType));
  return entries.map((fields, index) => {
    const name = (fields.name as string | undefined) ?? '';
    const upstream = (fields.upstream as string | undefined) ?? '';
    if (name === '') throw apiErrors.missingField(`name at proxy ${index + 1}`);
    if (upstream === '') throw apiErrors.missingField(`upstream at proxy ${index + 1}`);
    return { name, upstream, listen: (fields.listen as string | undefined) ?? '', enabled: (fields.enabled as boolean | undefined) ?? true };
  });
}

function populateResponse(proxies: readonly TcpProxy[], error?: ApiError): ApiResponse {
  const list = proxies.length === 0 ? null : proxies.map(proxyJson);
  const body: GoJsonValue = error ? { error: error.message, status: error.status, proxies: list } : { proxies: list };
  return { status: error?.status ?? 201, headers: { 'Content-Type': 'application/json' }, body: encodeGoJson(body) };
}

/** Creates or keeps each entry in order; a failure part way answers with those done, which stay. */
export async function populateProxies(registry: ProxyRegistry, text: string): Promise<ApiResponse> {
  const done: TcpProxy[] = [];
  try {
    for (const entry of decodeEntries(text)) done.push(await registry.addOrReplace(entry));
    return populateResponse(done);
  } catch (error) {
    return populateResponse(done, asApiError(error));
  }
}

export async function populate({ registry, body }: RouteContext): Promise<ApiResponse> {
  return populateProxies(registry, await body());
}
