import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { startProxy, sleep, waitFor, type ProxyUnderTest } from './socket-test-kit.js';

const idleMs = 600;

describe('nat_idle toxic with a WebSocket through it', () => {
  let server: WebSocketServer | undefined;
  let proxy: ProxyUnderTest | undefined;
  const clients: WebSocket[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.terminate();
    await proxy?.stop();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    for (const socket of server?.clients ?? []) socket.terminate();
    server = undefined;
    proxy = undefined;
  });

  /** A WebSocket server that greets each client, our proxy with nat_idle in front of it, and one client. */
  async function openThroughNat(): Promise<{ client: WebSocket; messages: string[] }> {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server?.once('listening', resolve));
    server.on('connection', (socket) => socket.send('hello'));
    proxy = await startProxy((server.address() as AddressInfo).port);
    const added = await proxy.addToxic({ type: 'nat_idle', attributes: { idle_ms: idleMs } });
    expect(added.status).toBe(200);
    const client = new WebSocket(`ws://127.0.0.1:${proxy.port}/`);
    clients.push(client);
    const messages: string[] = [];
    client.on('message', (data: Buffer) => messages.push(data.toString()));
    client.on('error', () => {});
    expect(await waitFor(() => messages.length === 1, 3000)).toBe(true);
    return { client, messages };
  }

  const broadcast = (text: string): void => {
    for (const socket of server?.clients ?? []) socket.send(text);
  };

  it('an idle WebSocket stops receiving messages, and is never told', async () => {
    const { client, messages } = await openThroughNat();
    await sleep(idleMs + 400);
    broadcast('after idle');
    await sleep(1500);
    expect(messages).toEqual(['hello']);
    expect(client.readyState).toBe(WebSocket.OPEN);
  });

  it('a WebSocket pinging every idle_ms/3 keeps its mapping and its messages', async () => {
    const { client, messages } = await openThroughNat();
    let pongs = 0;
    client.on('pong', () => {
      pongs += 1;
    });
    for (let beat = 0; beat < 6; beat += 1) {
      await sleep(idleMs / 3);
      client.ping();
    }
    await sleep(idleMs / 3);
    broadcast('still there');
    expect(await waitFor(() => messages.length === 2, 3000)).toBe(true);
    expect(messages).toEqual(['hello', 'still there']);
    expect(pongs).toBeGreaterThanOrEqual(5);
  });
});
