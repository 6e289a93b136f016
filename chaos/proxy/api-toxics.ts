import { canonicalKey, decodeGoStruct, decodeJsonBody, type GoStruct } from './api-bodies.js';
import { ApiError, apiErrors } from './api-errors.js';
import { toxicJson } from './api-json.js';
import { emptyResponse, jsonResponse, type ApiResponse } from './api-response.js';
import type { RouteContext } from './api-route-context.js';
import type { TcpProxy } from './proxy.js';
import { ToxicAttributeError, type ToxicAttributes, type ToxicKind } from './toxic.js';
import { parseStream, type ToxicRecord } from './toxic-list.js';

/** The toxic endpoints, as api.go and toxic_collection.go answer them. */

const toxicStruct: GoStruct = {
  name: 'ToxicWrapper',
  fields: {
    // Decoded first into a NoopToxic, before the type is known.
    attributes: { type: 'object', goType: 'toxics.NoopToxic' },
    name: { type: 'string' },
    type: { type: 'string' },
    stream: { type: 'string' },
    toxicity: { type: 'float32' },
  },
};

/** An update decodes into an unnamed struct holding the toxic's own attribute struct. */
function updateStruct(record: ToxicRecord): GoStruct {
  const goName = record.type === 'reset_peer' ? 'ResetToxic' : `${record.type.replace(/(^|_)(\w)/g, (_m, _s, c: string) => c.toUpperCase())}Toxic`;
  return { name: '', fields: { attributes: { type: 'object', goType: `toxics.${goName}` }, toxicity: { type: 'float32' } } };
}

/** Go overwrites only the attributes it was sent, matched to the toxic's fields ignoring case. */
function mergeAttributes(kind: ToxicKind, base: ToxicAttributes, sent: unknown): ToxicAttributes {
  const merged: ToxicAttributes = { ...base };
  const known = Object.keys(kind.defaults);
  for (const [key, value] of Object.entries((sent ?? {}) as Record<string, unknown>)) {
    const field = canonicalKey(known, key);
    if (field !== undefined && value !== null) merged[field] = value as number | string;
  }
  try {
    kind.validate(merged);
  } catch (error) {
    if (error instanceof ToxicAttributeError) throw new ApiError(error.message, 400);
    throw error;
  }
  return merged;
}

function findToxic(proxy: TcpProxy, name: string): ToxicRecord {
  const record = proxy.toxics.find(name);
  if (!record) throw apiErrors.toxicNotFound();
  return record;
}

export function listToxics({ registry, params }: RouteContext): Promise<ApiResponse> {
  return Promise.resolve(jsonResponse(200, registry.get(params.proxy ?? '').toxics.all().map(toxicJson)));
}

/** 200, not 201. Defaults: stream downstream, toxicity 1, name `<type>_<stream as sent>`. */
export async function createToxic({ registry, params, body }: RouteContext): Promise<ApiResponse> {
  const proxy = registry.get(params.proxy ?? '');
  const fields = decodeGoStruct(decodeJsonBody(await body()), toxicStruct, 'toxics.ToxicWrapper');
  const stream = (fields.stream as string | undefined) ?? 'downstream';
  const direction = parseStream(stream);
  if (direction === undefined) throw apiErrors.invalidStream();
  const type = (fields.type as string | undefined) ?? '';
  const name = (fields.name as string | undefined) || `${type}_${stream}`;
  const kind = registry.kinds.get(type);
  if (kind === undefined) throw apiErrors.invalidToxicType();
  if (proxy.toxics.find(name)) throw apiErrors.toxicAlreadyExists();
  const record: ToxicRecord = {
    name,
    type,
    stream,
    direction,
    toxicity: Math.fround((fields.toxicity as number | undefined) ?? 1),
    attributes: mergeAttributes(kind, kind.defaults, fields.attributes),
    kind,
  };
  proxy.addToxic(record);
  return jsonResponse(200, toxicJson(record));
}

export function showToxic({ registry, params }: RouteContext): Promise<ApiResponse> {
  const proxy = registry.get(params.proxy ?? '');
  return Promise.resolve(jsonResponse(200, toxicJson(findToxic(proxy, params.toxic ?? ''))));
}

/** Merges attributes; name, stream and type are ignored; toxicity stays unless sent. */
export async function updateToxic({ registry, params, body }: RouteContext): Promise<ApiResponse> {
  const proxy = registry.get(params.proxy ?? '');
  const record = findToxic(proxy, params.toxic ?? '');
  const struct = updateStruct(record);
  const fields = decodeGoStruct(decodeJsonBody(await body()), struct, `struct { Attributes interface {} "json:\\"attributes\\""; Toxicity float32 "json:\\"toxicity\\"" }`);
  const attributes = mergeAttributes(record.kind, record.attributes, fields.attributes);
  proxy.updateToxic(record, attributes, (fields.toxicity as number | undefined) ?? record.toxicity);
  return jsonResponse(200, toxicJson(record));
}

export function deleteToxic({ registry, params }: RouteContext): Promise<ApiResponse> {
  const proxy = registry.get(params.proxy ?? '');
  proxy.removeToxic(findToxic(proxy, params.toxic ?? ''));
  return Promise.resolve(emptyResponse(204));
}
