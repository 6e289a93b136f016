import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inheritedEnv } from '../test/config.js';
import { freePort } from './ports.js';
import {
  checkExternalToxiproxy, removeStackProxies, routeThroughProxies, type RunningToxiproxyProcess, startToxiproxyProcess, viaProxy,
} from './toxiproxy-process.js';

let dir: string;
let proxy: RunningToxiproxyProcess;
let echo: Server;
let echoUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gameday-toxiproxy-'));
  echo = createServer((socket) => socket.pipe(socket));
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  echoUrl = `tcp://127.0.0.1:${(echo.address() as { port: number }).port}`;
  proxy = await startToxiproxyProcess({ dir, seed: 7, env: inheritedEnv });
}, 60_000);

afterAll(async () => {
  await proxy?.stop();
  echo?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function echoThrough(listen: string, text: string): Promise<string> {
  const [host, port] = listen.split(':') as [string, string];
  const socket = connect(Number(port), host);
  try {
    // Toxiproxy has no half-close: the answer must arrive before this side ends.
    socket.write(text);
    let heard = '';
    for await (const chunk of socket) {
      heard += String(chunk);
      if (Buffer.byteLength(heard) >= Buffer.byteLength(text)) break;
    }
    return heard;
  } finally {
    socket.destroy();
  }
}

describe('the stack and its Toxiproxy', () => {
  it('routes named proxies to their upstreams on free ports, and bytes flow through them', async () => {
    const routes = await routeThroughProxies(proxy.api, { redis: echoUrl, carrier: echoUrl });
    expect(routes.redis).toEqual({ listen: expect.stringMatching(/^127\.0\.0\.1:\d+$/), upstream: new URL(echoUrl).host });
    expect(routes.carrier?.listen).not.toBe(routes.redis?.listen);
    expect(await echoThrough(routes.redis?.listen as string, 'こんにちは')).toBe('こんにちは');
  });

  it('removes only its own proxies from a Toxiproxy it did not start', async () => {
    await routeThroughProxies(proxy.api, { bedrock: echoUrl });
    await fetch(`${proxy.api}/proxies`, { method: 'POST', body: JSON.stringify({ name: 'users-own', listen: '127.0.0.1:0', upstream: new URL(echoUrl).host }) });
    await removeStackProxies(proxy.api, ['bedrock', 'dynamodb']);
    const left = Object.keys(await (await fetch(`${proxy.api}/proxies`)).json() as object);
    expect(left).toContain('users-own');
    expect(left).not.toContain('bedrock');
  });

  it('says clearly when the Toxiproxy given is not there', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    await expect(checkExternalToxiproxy(nobody)).rejects.toMatchObject({ code: 'GAMEDAY_ERR_TOXIPROXY_UNREACHABLE' });
    await expect(checkExternalToxiproxy(proxy.api)).resolves.toContain('2.12.0');
  });

  it('rewrites an address to go through a proxy, keeping scheme and path', () => {
    expect(viaProxy('ws://127.0.0.1:4000/v1/ws', '127.0.0.1:5000')).toBe('ws://127.0.0.1:5000/v1/ws');
    expect(viaProxy('http://127.0.0.1:4000', '127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(viaProxy('redis://127.0.0.1:6379', '127.0.0.1:5000')).toBe('redis://127.0.0.1:5000');
  });
});
