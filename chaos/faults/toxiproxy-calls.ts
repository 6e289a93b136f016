import { randomBytes } from 'node:crypto';
import { Toxiproxy, ToxiproxyError, type ToxicType } from 'toxiproxy-node-client';
import type { Stream } from '../proxy/toxic.js';

export interface ToxicRequest {
  proxy: string;
  name: string;
  type: string;
  stream: Stream;
  toxicity: number;
  attributes: Record<string, number | string>;
}

export interface ToxicResponse {
  name: string;
  type: string;
  stream: string;
  toxicity: number;
  attributes: Record<string, number | string>;
}

/** A toxic name no one else uses, so a revert removes exactly the toxic it added. */
export function uniqueToxicName(type: string, stream: Stream): string {
  return `gameday_${type}_${stream}_${randomBytes(4).toString('hex')}`;
}

/** The HTTP status inside toxiproxy-node-client's errors, which keep only "Request failed with status code N". */
export function toxiproxyStatus(error: unknown): number | null {
  if (!(error instanceof ToxiproxyError)) return null;
  const match = /status code (\d{3})/.exec(error.message);
  return match ? Number(match[1]) : null;
}

/** Adds a toxic through toxiproxy-node-client, the way any user of Toxiproxy would. */
export async function addToxic(api: string, request: ToxicRequest): Promise<ToxicResponse> {
  const client = new Toxiproxy(api);
  try {
    const proxy = await client.get(request.proxy);
    const toxic = await proxy.addToxic({
      name: request.name,
      // The client's union lacks our nat_idle and any toxic a newer server has; the server decides.
      type: request.type as ToxicType,
      stream: request.stream,
      toxicity: request.toxicity,
      attributes: request.attributes,
    });
    return { ...toxic.toJson(), attributes: toxic.attributes as Record<string, number | string> };
  } catch (error) {
    const status = toxiproxyStatus(error);
    const detail = status === 404 ? `proxy "${request.proxy}" does not exist there`
      : status === 400 ? `the server refused the toxic (400: an unknown type or bad attributes for "${request.type}")`
        : status === 409 ? `a toxic named "${request.name}" already exists`
          : (error as Error).message;
    throw new Error(`adding toxic ${request.type} to proxy "${request.proxy}" at ${api} failed: ${detail}`, { cause: error });
  }
}

/**
 * Posts a toxic with plain fetch, for callers that must read the server's error text (the
 * client drops it), e.g. to tell a real Toxiproxy's "invalid toxic type" apart.
 */
export async function postToxic(api: string, request: ToxicRequest, signal?: AbortSignal): Promise<{ status: number; body: string }> {
  const { proxy, ...toxic } = request;
  const response = await fetch(`${api}/proxies/${encodeURIComponent(proxy)}/toxics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(toxic),
    signal,
  });
  return { status: response.status, body: await response.text() };
}

/** Removes the named toxic; 'gone' when it (or its proxy) no longer exists, which is fine for a revert. */
export async function removeToxic(api: string, proxy: string, name: string): Promise<'removed' | 'gone'> {
  const client = new Toxiproxy(api);
  try {
    await (await client.get(proxy)).getToxic(name).then((toxic) => toxic.remove());
    return 'removed';
  } catch (error) {
    if (toxiproxyStatus(error) === 404) return 'gone';
    throw error;
  }
}
