import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../stack/ports.js';
import { maxChunkBytes } from './connection.js';
import type { TcpProxy } from './proxy.js';
import {
  connect,
  portOf,
  recordingKind,
  refusesConnections,
  startEchoUpstream,
  startTcpProxy,
  startUpstream,
  toxicRecord,
  waitFor,
  type Upstream,
} from './proxy-test-kit.js';

describe('a proxy on real sockets', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function echoProxy(): Promise<{ proxy: TcpProxy; upstream: Upstream; port: number }> {
    const upstream = await startEchoUpstream();
    cleanups.push(() => upstream.close());
    const proxy = await startTcpProxy(upstream.address);
    cleanups.push(() => proxy.stop());
    return { proxy, upstream, port: portOf(proxy.listen) };
  }

  it('carries bytes both ways unchanged', async () => {
    const { port } = await echoProxy();
    const client = await connect(port);
    const payload = randomBytes(300_000);
    client.socket.write(payload);
    await waitFor(() => client.length() >= payload.length, 'the echo');
    expect(client.bytes().equals(payload)).toBe(true);
    client.socket.destroy();
  });

  it('serves many connections at once, each with its own bytes', async () => {
    const { port, proxy } = await echoProxy();
    const clients = await Promise.all(Array.from({ length: 40 }, () => connect(port)));
    const payloads = clients.map((_client, index) => Buffer.from(`client ${index} `.repeat(500)));
    clients.forEach((client, index) => client.socket.write(payloads[index] as Buffer));
    await waitFor(() => clients.every((client, index) => client.length() >= (payloads[index] as Buffer).length), 'every echo');
    clients.forEach((client, index) => expect(client.text()).toBe((payloads[index] as Buffer).toString('latin1')));
    expect(proxy.liveConnections()).toHaveLength(40);
    for (const client of clients) client.socket.destroy();
    await waitFor(() => proxy.liveConnections().length === 0, 'the proxy to forget closed connections');
  });

  it('closes a client whose upstream refuses, and keeps serving the next ones', async () => {
    const upstreamPort = await freePort();
    const proxy = await startTcpProxy(`127.0.0.1:${upstreamPort}`);
    cleanups.push(() => proxy.stop());
    const refused = await connect(portOf(proxy.listen));
    await refused.closed;
    expect(refused.bytes()).toHaveLength(0);

    const upstream = await startUpstream((socket) => socket.end('hello'), upstreamPort);
    cleanups.push(() => upstream.close());
    const served = await connect(portOf(proxy.listen));
    await served.closed;
    expect(served.text()).toBe('hello');
  });

  it('stopping closes the listener and every connection through it', async () => {
    const { proxy, port } = await echoProxy();
    const clients = await Promise.all([connect(port), connect(port)]);
    await waitFor(() => proxy.liveConnections().length === 2, 'two connections');
    await proxy.stop();
    await Promise.all(clients.map((client) => client.closed));
    expect(await refusesConnections(port)).toBe(true);
  });

  it(`forwards data in chunks of at most ${maxChunkBytes} bytes, like io.Copy`, async () => {
    const { proxy, port } = await echoProxy();
    const { kind, sizes } = recordingKind();
    proxy.addToxic(toxicRecord(kind, 'sizes', 'upstream'));
    const client = await connect(port);
    const payload = randomBytes(2 * 1024 * 1024);
    client.socket.write(payload);
    await waitFor(() => client.length() >= payload.length, 'the echo');
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(payload.length);
    expect(Math.max(...sizes)).toBe(maxChunkBytes);
    expect(client.bytes().equals(payload)).toBe(true);
    client.socket.destroy();
  });
});
