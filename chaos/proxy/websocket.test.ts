import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { startToxiproxyServer, type RunningToxiproxy } from './server.js';
import { portOf, waitFor } from './proxy-test-kit.js';

const messages = 400;

describe('WebSocket traffic through the proxy', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function createProxy(toxiproxy: RunningToxiproxy, upstreamPort: number): Promise<number> {
    const response = await fetch(`${toxiproxy.url}/proxies`, {
      method: 'POST',
      body: JSON.stringify({ name: 'ws', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstreamPort}` }),
    });
    expect(response.status).toBe(201);
    return portOf(((await response.json()) as { listen: string }).listen);
  }

  it('upgrades, then carries a long stream of messages both ways, in order, and closes cleanly', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const fromClient: string[] = [];
    let upgradedPath = '';
    server.on('connection', (socket, request) => {
      upgradedPath = request.url ?? '';
      socket.on('message', (data) => fromClient.push(data.toString()));
      let sent = 0;
      // A stream that lasts a while: one message per timer tick, not one burst.
      const timer = setInterval(() => {
        for (let burst = 0; burst < 4 && sent < messages; burst += 1) socket.send(JSON.stringify({ seq: sent++ }));
        if (sent >= messages) clearInterval(timer);
      }, 2);
      socket.on('close', () => clearInterval(timer));
    });
    const toxiproxy = await startToxiproxyServer({ port: 0 });
    cleanups.push(() => toxiproxy.stop());
    const port = await createProxy(toxiproxy, (server.address() as AddressInfo).port);

    const client = new WebSocket(`ws://127.0.0.1:${port}/v1/ws?sessionId=s1`);
    const received: number[] = [];
    client.on('message', (data) => {
      const { seq } = JSON.parse(data.toString()) as { seq: number };
      received.push(seq);
      if (seq % 50 === 0) client.send(`ack ${seq}`);
    });
    await once(client, 'open');
    expect(upgradedPath).toBe('/v1/ws?sessionId=s1');
    await waitFor(() => received.length === messages, 'every message at the client');
    expect(received).toEqual(Array.from({ length: messages }, (_unused, index) => index));
    await waitFor(() => fromClient.length === messages / 50, 'every ack at the server');
    expect(fromClient[0]).toBe('ack 0');

    const closed = once(client, 'close');
    client.close(1000, 'done');
    const [code] = (await closed) as [number];
    expect(code).toBe(1000);
  });
});
