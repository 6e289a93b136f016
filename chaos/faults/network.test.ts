import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer, type Server, Socket } from 'node:net';
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningToxiproxy, startToxiproxyServer } from '../proxy/server.js';
import { dynamodbSlowFault } from './dynamodb-slow.js';
import { FaultRevertError, type FaultTargets } from './fault.js';
import { testTargets } from './fault-test-kit.js';
import { approximationNote, natDropFault } from './nat-drop.js';
import { networkFault } from './network.js';
import { runFaultFor } from './run-fault.js';

let toxiproxy: RunningToxiproxy;
let echo: Server;
let targets: FaultTargets;

beforeAll(async () => {
  echo = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  const upstream = `127.0.0.1:${(echo.address() as { port: number }).port}`;
  toxiproxy = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
  const client = new Toxiproxy(toxiproxy.url);
  const proxies: FaultTargets['proxies'] = {};
  for (const name of ['carrier', 'dynamodb']) {
    const proxy = await client.createProxy({ name, listen: '127.0.0.1:0', upstream });
    proxies[name] = { listen: proxy.listen, upstream };
  }
  targets = testTargets({ toxiproxyApi: toxiproxy.url, proxies });
});

afterAll(async () => {
  await toxiproxy?.stop();
  await new Promise((resolve) => echo?.close(resolve));
});

beforeEach(async () => {
  await fetch(`${toxiproxy.url}/reset`, { method: 'POST' });
});

interface ToxicJson { name: string; type: string; stream: string; toxicity: number; attributes: Record<string, number | string> }
const toxics = async (proxy: string) => (await (await fetch(`${toxiproxy.url}/proxies/${proxy}/toxics`)).json()) as ToxicJson[];

function connect(proxy: string): Promise<Socket> {
  const [host, port] = (targets.proxies[proxy]?.listen ?? '').split(':');
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.once('error', reject);
    socket.connect(Number(port), host as string, () => resolve(socket));
  });
}

/** Milliseconds for one echo round trip through the proxy. */
async function roundTrip(socket: Socket): Promise<number> {
  const started = performance.now();
  const answered = new Promise((resolve) => socket.once('data', resolve));
  socket.write('ping');
  await answered;
  return performance.now() - started;
}

describe('the network fault', () => {
  it('adds its toxic through the client, which takes effect, and revert removes exactly that toxic', async () => {
    await fetch(`${toxiproxy.url}/proxies/carrier/toxics`, { method: 'POST', body: JSON.stringify({ name: 'someone_else', type: 'noop' }) });
    const fault = networkFault.create({ type: 'latency', attributes: 'latency=300,jitter=0' }, targets);
    expect(fault.description).toBe('network carrier latency downstream latency=300 jitter=0');
    const applied = await fault.apply(new AbortController().signal);
    expect(applied).toMatchObject({ proxy: 'carrier', type: 'latency', stream: 'downstream', toxicity: 1, attributes: 'latency=300 jitter=0' });
    expect(String(applied.toxic)).toMatch(/^gameday_latency_downstream_[0-9a-f]{8}$/);
    expect((await toxics('carrier')).map((toxic) => toxic.name).sort()).toEqual([applied.toxic, 'someone_else'].sort());

    const socket = await connect('carrier');
    try {
      expect(await roundTrip(socket)).toBeGreaterThanOrEqual(290);
    } finally {
      socket.destroy();
    }

    expect(await fault.revert()).toMatchObject({ removed: true, alreadyGone: false });
    expect((await toxics('carrier')).map((toxic) => toxic.name)).toEqual(['someone_else']);
    expect(await fault.revert()).toMatchObject({ removed: true });
  });

  it('revert succeeds when the toxic is already gone', async () => {
    const fault = networkFault.create({ type: 'timeout', stream: 'upstream', toxicity: '0.5', attributes: 'timeout=0' }, targets);
    await fault.apply(new AbortController().signal);
    await fetch(`${toxiproxy.url}/reset`, { method: 'POST' });
    expect(await fault.revert()).toMatchObject({ removed: false, alreadyGone: true });
  });

  it('a toxic the server refuses fails the apply, naming the type', async () => {
    const fault = networkFault.create({ type: 'meteor' }, targets);
    await expect(fault.apply(new AbortController().signal)).rejects.toThrow('the server refused the toxic (400');
    expect(await fault.revert()).toMatchObject({ alreadyGone: true });
  });

  it('dynamodb-slow puts latency and resets on the dynamodb proxy, and takes both off', async () => {
    const fault = dynamodbSlowFault.create({ latency: '250ms', resets: 0.5 }, targets);
    await fault.apply(new AbortController().signal);
    const added = await toxics('dynamodb');
    expect(added.map((toxic) => [toxic.type, toxic.stream, toxic.toxicity])).toEqual([['reset_peer', 'upstream', 0.5], ['latency', 'downstream', 1]]);
    expect(added.find((toxic) => toxic.type === 'latency')?.attributes).toMatchObject({ latency: 250 });
    expect(await fault.revert()).toMatchObject({ '1.removed': true, '2.removed': true });
    expect(await toxics('dynamodb')).toEqual([]);
  });

  it('a revert that cannot reach Toxiproxy throws FaultRevertError naming the toxic', async () => {
    const other = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
    try {
      await new Toxiproxy(other.url).createProxy({ name: 'carrier', listen: '127.0.0.1:0', upstream: targets.proxies.carrier?.upstream ?? '' });
      const fault = networkFault.create({ type: 'bandwidth', attributes: 'rate=1' }, { ...targets, toxiproxyApi: other.url });
      const applied = await fault.apply(new AbortController().signal);
      await other.stop();
      const error = await fault.revert().then(() => null, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(FaultRevertError);
      expect((error as Error).message).toContain(`toxic "${applied.toxic}" may still be on proxy "carrier" at ${other.url}`);
    } finally {
      await other.stop();
    }
  });
});

describe('the nat-drop fault', () => {
  it('uses nat_idle where the server has it', async () => {
    const fault = natDropFault.create({ idle: '3s', mode: 'reset' }, targets);
    expect(await fault.apply(new AbortController().signal)).toMatchObject({ approximated: false, idleMs: 3000, mode: 'reset' });
    expect(await toxics('carrier')).toMatchObject([{ type: 'nat_idle', attributes: { idle_ms: 3000, mode: 'reset' } }]);
    expect(await fault.revert()).toMatchObject({ removed: true });
    expect(await toxics('carrier')).toEqual([]);
  });

  it('approximated (as on a real Toxiproxy): a timeout toxic on a schedule cuts the held connections, and says so', async () => {
    const fault = natDropFault.create({ idle: '300ms', window: '100ms', approximate: true }, targets);
    const socket = await connect('carrier');
    const closed = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      socket.once('close', () => { clearTimeout(timer); resolve(true); });
      socket.on('error', () => undefined);
    });
    try {
      const run = await runFaultFor(fault, { durationMs: 1_500 });
      expect(run.applied).toMatchObject({ approximated: true, windowMs: 100 });
      expect(String(run.applied?.note)).toContain(approximationNote);
      expect(run.reverted).toMatchObject({ approximated: true, note: approximationNote, failedCuts: 0 });
      expect(run.reverted.cuts as number).toBeGreaterThanOrEqual(1);
      expect(await closed).toBe(true);
      expect(await toxics('carrier')).toEqual([]);
    } finally {
      socket.destroy();
    }
  });

  it('takes a 400 "invalid toxic type" for a real Toxiproxy and falls back to the approximation', async () => {
    // No real toxiproxy-server is installed here, so a relay stands in for one: it answers
    // nat_idle with the real server's exact 400 and passes every other call to our proxy.
    const read = async (request: IncomingMessage) => {
      let body = '';
      for await (const chunk of request) body += String(chunk);
      return body;
    };
    const relay = createHttpServer((request, response) => {
      void read(request).then(async (body) => {
        if (request.method === 'POST' && request.url?.endsWith('/toxics') && (JSON.parse(body) as { type?: string }).type === 'nat_idle') {
          response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
          response.end('{"error":"invalid toxic type","status":400}\n');
          return;
        }
        const answer = await fetch(`${toxiproxy.url}${request.url}`, { method: request.method, body: body === '' ? undefined : body });
        response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
        response.end(await answer.text());
      });
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    try {
      const relayUrl = `http://127.0.0.1:${(relay.address() as { port: number }).port}`;
      const fault = natDropFault.create({ idle: '200ms', window: '50ms' }, { ...targets, toxiproxyApi: relayUrl });
      const run = await runFaultFor(fault, { durationMs: 800 });
      expect(run.applied).toMatchObject({ approximated: true });
      expect(String(run.applied?.note)).toContain(approximationNote);
      expect(run.reverted.cuts as number).toBeGreaterThanOrEqual(1);
      expect(await toxics('carrier')).toEqual([]);
    } finally {
      relay.closeAllConnections();
      await new Promise((resolve) => relay.close(resolve));
    }
  });
});
