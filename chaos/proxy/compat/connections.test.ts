import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../stack/ports.js';
import { connect, portOf, refusesConnections, waitFor, type Received } from '../proxy-test-kit.js';
import { useCompatTarget, type CompatSession } from './compat-kit.js';
import { announceSkippedTargets, compatTargets } from './targets.js';

announceSkippedTargets('compat/connections');

async function echoes(client: Received, text: string): Promise<void> {
  const before = client.text().length;
  client.socket.write(text);
  await waitFor(() => client.text().slice(before) === text, `the echo of "${text}"`);
}

async function echoProxy(toxiproxy: CompatSession, name = 'echo'): Promise<number> {
  const upstream = await toxiproxy.echoUpstream();
  return portOf((await toxiproxy.createProxy(name, upstream.address)).listen);
}

describe.each(compatTargets)('connections through the proxy ($name)', (target) => {
  describe.skipIf(target.skipReason !== undefined)(`against ${target.name}`, () => {
    const toxiproxy = useCompatTarget(target);

    it('carries bytes both ways unchanged', async () => {
      const client = await connect(await echoProxy(toxiproxy));
      const payload = randomBytes(1_000_000);
      client.socket.write(payload);
      await waitFor(() => client.length() >= payload.length, 'the whole echo');
      expect(client.bytes().equals(payload)).toBe(true);
      client.socket.destroy();
    });

    it('enabled:false closes the listener and every connection; enabling listens on the same port again', async () => {
      const port = await echoProxy(toxiproxy);
      const clients = [await connect(port), await connect(port)];
      for (const client of clients) await echoes(client, 'hi');
      await toxiproxy.call('POST', '/proxies/echo', { enabled: false });
      await Promise.all(clients.map((client) => client.closed));
      expect(await refusesConnections(port)).toBe(true);
      const enabled = await toxiproxy.call('POST', '/proxies/echo', { enabled: true });
      expect(portOf(enabled.json<{ listen: string }>().listen)).toBe(port);
      const again = await connect(port);
      await echoes(again, 'back');
      again.socket.destroy();
    });

    it('deleting a proxy closes its connections and its listener', async () => {
      const port = await echoProxy(toxiproxy);
      const client = await connect(port);
      await echoes(client, 'hi');
      await toxiproxy.call('DELETE', '/proxies/echo');
      await client.closed;
      expect(await refusesConnections(port)).toBe(true);
    });

    it('closes a client whose upstream refuses, and serves the next once the upstream is up', async () => {
      const upstreamPort = await freePort();
      const port = portOf((await toxiproxy.createProxy('late', `127.0.0.1:${upstreamPort}`)).listen);
      const refused = await connect(port);
      await refused.closed;
      expect(refused.length()).toBe(0);
      await toxiproxy.upstream((socket) => socket.pipe(socket), upstreamPort);
      const served = await connect(port);
      await echoes(served, 'now');
      served.socket.destroy();
    });

    it('has no half-close: after the client\'s FIN, data the upstream sends later never arrives', async () => {
      let lateWriteDone = false;
      const upstream = await toxiproxy.upstream((socket) => {
        socket.on('error', () => undefined);
        socket.on('end', () => {
          setTimeout(() => {
            if (!socket.destroyed) socket.write('late');
            lateWriteDone = true;
          }, 50);
        });
      });
      const port = portOf((await toxiproxy.createProxy('fin', upstream.address)).listen);
      const client = await connect(port);
      client.socket.end('hello');
      await client.closed;
      await waitFor(() => lateWriteDone, 'the upstream to try its late write');
      expect(upstream.sockets[0]?.text()).toBe('hello');
      expect(client.length()).toBe(0);
    });

    it('a toxic added to a live connection acts on it; removing a timeout toxic closes the connection it held', async () => {
      const port = await echoProxy(toxiproxy);
      const client = await connect(port);
      await echoes(client, 'free');
      await toxiproxy.call('POST', '/proxies/echo/toxics', { type: 'timeout', name: 'hole', attributes: { timeout: 0 } });
      client.socket.write('swallowed');
      const removed = await toxiproxy.call('DELETE', '/proxies/echo/toxics/hole');
      expect(removed.status).toBe(204);
      await client.closed;
      expect(client.text()).toBe('free');
      const fresh = await connect(port);
      await echoes(fresh, 'after');
      fresh.socket.destroy();
    });

    it('/reset removes toxics from live connections too', async () => {
      const port = await echoProxy(toxiproxy);
      const client = await connect(port);
      await toxiproxy.call('POST', '/proxies/echo/toxics', { type: 'timeout', attributes: { timeout: 0 } });
      client.socket.write('held');
      expect((await toxiproxy.call('POST', '/reset')).status).toBe(204);
      await client.closed;
      const fresh = await connect(port);
      await echoes(fresh, 'clean');
      fresh.socket.destroy();
    });
  });
});
