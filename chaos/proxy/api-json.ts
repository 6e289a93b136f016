import { Float32, type GoJsonValue } from './go-json.js';
import type { TcpProxy } from './proxy.js';
import type { ToxicRecord } from './toxic-list.js';

/**
 * The API's shapes, in Go's field order. Toxiproxy's Proxy struct exports its zerolog Logger
 * untagged, which encoding/json writes as `"Logger":{}`; clients see it, so we send it too.
 */

export function toxicJson(record: ToxicRecord): GoJsonValue {
  const attributes: Record<string, GoJsonValue> = {};
  // Only the toxic's own attributes, in its declared order, as a Go struct would print them.
  for (const [key, fallback] of Object.entries(record.kind.defaults)) attributes[key] = record.attributes[key] ?? fallback;
  return {
    attributes,
    name: record.name,
    type: record.type,
    stream: record.stream,
    toxicity: new Float32(record.toxicity),
  };
}

export function proxyJson(proxy: TcpProxy): GoJsonValue {
  return {
    name: proxy.name,
    listen: proxy.listen,
    upstream: proxy.upstream,
    enabled: proxy.enabled,
    Logger: {},
    toxics: proxy.toxics.all().map(toxicJson),
  };
}
