import { Toxiproxy, ToxiproxyError, type ICreateToxicBody, type ToxicType } from 'toxiproxy-node-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connect, portOf, waitFor } from '../proxy-test-kit.js';
import { useCompatTarget } from './compat-kit.js';
import { announceSkippedTargets, compatTargets } from './targets.js';

announceSkippedTargets('compat/node-client');

/** The client types toxic bodies strictly; its users pass partial ones, as the README does. */
function toxicBody(body: { type: string; name?: string; stream?: string; toxicity?: number; attributes?: object }): ICreateToxicBody<unknown> {
  return body as unknown as ICreateToxicBody<unknown>;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe.each(compatTargets)('toxiproxy-node-client 4.1.0 ($name)', (target) => {
  describe.skipIf(target.skipReason !== undefined)(`against ${target.name}`, () => {
    const toxiproxy = useCompatTarget(target);
    let client: Toxiproxy;
    // Observes what the client sends (it uses the global fetch); every request still goes out.
    let sent: { method: string; url: string }[];
    beforeEach(() => {
      client = new Toxiproxy(toxiproxy.api);
      sent = [];
      const realFetch = globalThis.fetch;
      vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
        sent.push({ method: init?.method ?? 'GET', url: String(input) });
        return realFetch(input, init);
      });
    });
    afterEach(() => {
      vi.restoreAllMocks();
    });

    it('getVersion returns the raw body text, newline included', async () => {
      expect(await client.getVersion()).toBe('{"version": "2.12.0"}\n');
    });

    it('creates, finds, lists, updates (with POST) and removes proxies', async () => {
      const upstream = await toxiproxy.echoUpstream();
      const proxy = await client.createProxy({ name: 'redis', listen: 'localhost:0', upstream: upstream.address });
      expect(proxy.toJson()).toEqual({ name: 'redis', listen: expect.stringMatching(/^127\.0\.0\.1:[1-9]\d*$/), upstream: upstream.address, enabled: true });
      expect((await client.get('redis')).listen).toBe(proxy.listen);
      expect(Object.keys(await client.getAll())).toEqual(['redis']);

      const socket = await connect(portOf(proxy.listen));
      const updated = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
      expect(sent.at(-1)).toEqual({ method: 'POST', url: `${toxiproxy.api}/proxies/redis` });
      expect(updated.enabled).toBe(false);
      await socket.closed;

      await proxy.remove();
      const missing = await rejection(client.get('redis'));
      expect(missing).toBeInstanceOf(ToxiproxyError);
      expect(missing.message).toBe('Request failed with status code 404');
    });

    it('reports API errors only by status code', async () => {
      await client.createProxy({ name: 'dup', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
      const duplicate = await rejection(client.createProxy({ name: 'dup', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' }));
      expect([duplicate instanceof ToxiproxyError, duplicate.message]).toEqual([true, 'Request failed with status code 409']);
    });

    it('adds toxics with the server\'s defaults; its "down" type is refused with 400', async () => {
      const proxy = await client.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
      const toxic = await proxy.addToxic(toxicBody({ type: 'latency', attributes: { latency: 50 } }));
      expect(toxic.toJson()).toEqual({ name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 50, jitter: 0 } });
      const down = await rejection(proxy.addToxic(toxicBody({ type: 'down' satisfies ToxicType })));
      expect(down.message).toBe('Request failed with status code 400');
      const missing = await rejection(proxy.getToxic('nope'));
      expect(missing.message).toBe('Request failed with status code 404');
    });

    it('toxic.update is a POST that merges attributes and keeps toxicity; toxic.remove deletes it', async () => {
      const proxy = await client.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
      const toxic = await proxy.addToxic(toxicBody({ type: 'latency', toxicity: 0.5, attributes: { latency: 50, jitter: 5 } }));
      const updated = await toxic.update(toxicBody({ type: 'latency', attributes: { jitter: 9 } }) as never);
      expect(sent.at(-1)).toEqual({ method: 'POST', url: `${toxiproxy.api}/proxies/p/toxics/latency_downstream` });
      expect(updated.toJson()).toMatchObject({ toxicity: 0.5, attributes: { latency: 50, jitter: 9 } });
      await toxic.remove();
      expect((await client.get('p')).toJson()).toMatchObject({ name: 'p' });
      expect(await rejection(proxy.getToxic('latency_downstream'))).toBeInstanceOf(ToxiproxyError);
    });

    it('populate returns the proxies by name; populate([]) throws a TypeError on the null list', async () => {
      const upstream = await toxiproxy.echoUpstream();
      const proxies = await client.populate([
        { name: 'a', listen: '127.0.0.1:0', upstream: upstream.address },
        { name: 'b', listen: '127.0.0.1:0', upstream: upstream.address, enabled: false },
      ]);
      expect(Object.keys(proxies)).toEqual(['a', 'b']);
      expect(proxies.b?.enabled).toBe(false);
      const empty = await rejection(client.populate([]));
      expect(empty).toBeInstanceOf(TypeError);
      expect(empty).not.toBeInstanceOf(ToxiproxyError);
      // The request did go out: the server answered {"proxies":null}, which the client cannot iterate.
      expect(sent.at(-1)).toEqual({ method: 'POST', url: `${toxiproxy.api}/populate` });
    });

    it('reset is a POST that enables every proxy and removes every toxic', async () => {
      const upstream = await toxiproxy.echoUpstream();
      const proxy = await client.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream: upstream.address });
      await proxy.addToxic(toxicBody({ type: 'timeout', attributes: { timeout: 0 } }));
      await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
      await client.reset();
      expect(sent.at(-1)).toEqual({ method: 'POST', url: `${toxiproxy.api}/reset` });
      const after = await client.get('p');
      expect(after.enabled).toBe(true);
      const socket = await connect(portOf(after.listen));
      socket.socket.write('clean');
      await waitFor(() => socket.text() === 'clean', 'the echo without the toxic');
      socket.socket.destroy();
    });
  });
});
