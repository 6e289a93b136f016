import { createServer } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { connect, portOf, waitFor, type Received } from '../proxy-test-kit.js';
import { useCompatTarget, type CompatSession, type ProxyJson } from './compat-kit.js';
import { announceSkippedTargets, compatTargets } from './targets.js';

announceSkippedTargets('compat/populate-http');

/** A connection through the proxy that proves it is alive by an echo. */
async function echoes(client: Received, text: string): Promise<void> {
  const before = client.text().length;
  client.socket.write(text);
  await waitFor(() => client.text().slice(before) === text, `the echo of "${text}"`);
}

async function populate(toxiproxy: CompatSession, entries: unknown): Promise<{ status: number; text: string; proxies: ProxyJson[] | null }> {
  const answer = await toxiproxy.call('POST', '/populate', entries as object);
  expect(answer.header('content-type')).toBe('application/json');
  return { status: answer.status, text: answer.text, proxies: answer.json<{ proxies: ProxyJson[] | null }>().proxies };
}

describe.each(compatTargets)('POST /populate ($name)', (target) => {
  describe.skipIf(target.skipReason !== undefined)(`against ${target.name}`, () => {
    const toxiproxy = useCompatTarget(target);

    it('answers [] with 201 {"proxies":null}: JSON, no newline', async () => {
      const answer = await toxiproxy.call('POST', '/populate', []);
      expect([answer.status, answer.text, answer.header('content-type')]).toEqual([201, '{"proxies":null}', 'application/json']);
    });

    it('creates every entry in order and answers with them', async () => {
      const answer = await populate(toxiproxy, [
        { name: 'z', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' },
        { name: 'a', listen: '127.0.0.1:0', upstream: '127.0.0.1:2', enabled: false },
      ]);
      expect(answer.status).toBe(201);
      expect(answer.proxies?.map((proxy) => [proxy.name, proxy.enabled, proxy.listen === '127.0.0.1:0'])).toEqual([['z', true, false], ['a', false, true]]);
      const z = (await toxiproxy.call('GET', '/proxies/z')).text;
      expect(answer.text).toBe(`{"proxies":[${z},${(await toxiproxy.call('GET', '/proxies/a')).text}]}`);
    });

    it('an invalid entry creates nothing: 400 as JSON with "proxies":null', async () => {
      const answer = await populate(toxiproxy, [{ name: 'fine', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' }, { name: 'broken', listen: '127.0.0.1:0' }]);
      expect([answer.status, answer.text]).toEqual([400, '{"error":"missing required field: upstream at proxy 2","status":400,"proxies":null}']);
      expect((await toxiproxy.call('GET', '/proxies')).text).toBe('{}');
      const notAnArray = await toxiproxy.call('POST', '/populate', { name: 'x' });
      expect(notAnArray.status).toBe(400);
      expect(notAnArray.json()).toMatchObject({ status: 400, proxies: null });
    });

    it('a failure part way answers 500 with the proxies made before it, which stay', async () => {
      const busy = createServer();
      busy.listen(0, '127.0.0.1');
      await once(busy, 'listening');
      const taken = `127.0.0.1:${(busy.address() as { port: number }).port}`;
      try {
        const answer = await populate(toxiproxy, [
          { name: 'first', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' },
          { name: 'clash', listen: taken, upstream: '127.0.0.1:1' },
          { name: 'never', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' },
        ]);
        const first = (await toxiproxy.call('GET', '/proxies/first')).text;
        expect([answer.status, answer.text]).toEqual([
          500,
          `{"error":"listen tcp ${taken}: bind: address already in use","status":500,"proxies":[${first}]}`,
        ]);
        expect(Object.keys((await toxiproxy.call('GET', '/proxies')).json<object>())).toEqual(['first']);
      } finally {
        busy.close();
      }
    });

    it('the same name and config leaves the proxy alone: live connections and toxics stay', async () => {
      const upstream = await toxiproxy.echoUpstream();
      const [created] = (await populate(toxiproxy, [{ name: 'db', listen: '127.0.0.1:0', upstream: upstream.address }])).proxies ?? [];
      await toxiproxy.call('POST', '/proxies/db/toxics', { type: 'noop' });
      const client = await connect(portOf(created?.listen ?? ''));
      await echoes(client, 'before');
      const again = await populate(toxiproxy, [{ name: 'db', listen: created?.listen, upstream: upstream.address }]);
      expect(again.status).toBe(201);
      expect(again.proxies?.[0]).toMatchObject({ listen: created?.listen, toxics: [{ name: 'noop_downstream' }] });
      await echoes(client, 'after');
      client.socket.destroy();
    });

    it('a changed upstream replaces the proxy: its connections close and its toxics go', async () => {
      const upstream = await toxiproxy.echoUpstream();
      const [created] = (await populate(toxiproxy, [{ name: 'db', listen: '127.0.0.1:0', upstream: upstream.address }])).proxies ?? [];
      await toxiproxy.call('POST', '/proxies/db/toxics', { type: 'noop' });
      const client = await connect(portOf(created?.listen ?? ''));
      await echoes(client, 'before');
      const other = await toxiproxy.echoUpstream();
      const replaced = await populate(toxiproxy, [{ name: 'db', listen: created?.listen, upstream: other.address }]);
      expect(replaced.proxies?.[0]).toMatchObject({ listen: created?.listen, upstream: other.address, toxics: [] });
      await client.closed;
      const fresh = await connect(portOf(created?.listen ?? ''));
      await echoes(fresh, 'through the new one');
      expect(other.sockets).toHaveLength(1);
      fresh.socket.destroy();
    });

    it('listen ":0" never equals the bound port, so populating it again recreates on a new port', async () => {
      const upstream = await toxiproxy.echoUpstream();
      const entry = { name: 'db', listen: '127.0.0.1:0', upstream: upstream.address };
      const [first] = (await populate(toxiproxy, [entry])).proxies ?? [];
      const client = await connect(portOf(first?.listen ?? ''));
      await echoes(client, 'before');
      const [second] = (await populate(toxiproxy, [entry])).proxies ?? [];
      expect(second?.listen).not.toBe(first?.listen);
      await client.closed;
    });
  });
});
