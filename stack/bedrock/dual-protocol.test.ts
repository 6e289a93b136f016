import { createHash, randomBytes } from 'node:crypto';
import { Agent, request as http1Request } from 'node:http';
import { connect as connectH2 } from 'node:http2';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type DualProtocolServer, type Exchange, listenDualProtocol } from './dual-protocol.js';

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let server: DualProtocolServer | undefined;
afterEach(async () => {
  await server?.close(500);
  server = undefined;
});

/** Answers with the protocol that carried the request and a digest of its body. */
async function startEcho(onExchange?: (exchange: Exchange) => void): Promise<string> {
  server = await listenDualProtocol('127.0.0.1', 0, (exchange) => {
    if (onExchange) {
      onExchange(exchange);
      return;
    }
    exchange.readBody(4 * 1024 * 1024).then((body) => {
      exchange.writeHead(200, { 'content-type': 'application/json' });
      exchange.end(JSON.stringify({ protocol: exchange.protocol, url: exchange.url, sha: sha(body), bytes: body.length }));
    }, () => exchange.end());
  });
  return `http://127.0.0.1:${server.port}`;
}

/**
 * Writes the body at once (bytes queue up in the kernel while the server decides on the
 * protocol: the race a hand-over must survive) or in small pieces across event-loop turns.
 */
async function writeBody(write: (piece: Buffer) => void, body: Buffer, pieces: number): Promise<void> {
  const size = Math.ceil(body.length / pieces);
  for (let offset = 0; offset < body.length; offset += size) {
    write(body.subarray(offset, offset + size));
    if (pieces > 1) await nextTurn();
  }
}

async function postH1(base: string, body: Buffer, pieces = 1, agent?: Agent): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = http1Request(`${base}/h1?x=1`, { method: 'POST', agent, headers: { 'content-length': body.length } }, (res) => {
      let text = '';
      res.on('data', (part: Buffer) => { text += part.toString(); });
      res.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
    });
    req.on('error', reject);
    writeBody((piece) => req.write(piece), body, pieces).then(() => req.end(), reject);
  });
}

async function postH2(base: string, body: Buffer, pieces = 1): Promise<Record<string, unknown>> {
  const session = connectH2(base);
  try {
    return await new Promise((resolve, reject) => {
      const stream = session.request({ ':method': 'POST', ':path': '/h2' });
      let text = '';
      stream.on('data', (part: Buffer) => { text += part.toString(); });
      stream.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
      stream.on('error', reject);
      writeBody((piece) => stream.write(piece), body, pieces).then(() => stream.end(), reject);
    });
  } finally {
    session.close();
  }
}

describe('listenDualProtocol', () => {
  it('serves h2c with prior knowledge and HTTP/1.1 on the same port', async () => {
    const base = await startEcho();
    const body = Buffer.from('{"hello":"世界"}');
    expect(await postH2(base, body)).toMatchObject({ protocol: 'h2c', url: '/h2', sha: sha(body) });
    expect(await postH1(base, body)).toMatchObject({ protocol: 'http/1.1', url: '/h1?x=1', sha: sha(body) });
  });

  it('hands every byte over in order while bodies keep arriving, on many connections at once', async () => {
    const base = await startEcho();
    const bodies = Array.from({ length: 32 }, () => randomBytes(1024 * 1024));
    const answers = await Promise.all(bodies.map((body, index) => {
      const pieces = index % 4 < 2 ? 1 : 64;
      return index % 2 === 0 ? postH2(base, body, pieces) : postH1(base, body, pieces);
    }));
    answers.forEach((answer, index) => {
      expect(answer).toMatchObject({ sha: sha(bodies[index]!), bytes: bodies[index]!.length });
    });
  });

  it('tells a handler when the client goes away, on either protocol', async () => {
    const aborted: string[] = [];
    const base = await startEcho((exchange) => {
      exchange.writeHead(200, {});
      exchange.write(Buffer.from('started'));
      exchange.onAbort(() => aborted.push(exchange.protocol));
    });
    const session = connectH2(base);
    const stream = session.request({ ':method': 'POST', ':path': '/' });
    stream.on('error', () => undefined);
    stream.end();
    await new Promise((resolve) => stream.once('response', resolve));
    session.destroy();
    const req = http1Request(`${base}/`, { method: 'POST' }, (res) => res.once('data', () => req.destroy()));
    req.on('error', () => undefined);
    req.end();
    for (let i = 0; i < 100 && aborted.length < 2; i += 1) await sleep(20);
    expect(aborted.sort()).toEqual(['h2c', 'http/1.1']);
  });

  it('closes idle keep-alive and h2 connections at once instead of waiting out the grace', async () => {
    const base = await startEcho();
    const agent = new Agent({ keepAlive: true });
    await postH1(base, Buffer.from('a'), 1, agent);
    const session = connectH2(base);
    session.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      const stream = session.request({ ':method': 'POST', ':path': '/' });
      stream.on('error', reject);
      stream.resume();
      stream.on('end', resolve);
      stream.end('b');
    });
    const started = performance.now();
    await server?.close(10_000);
    server = undefined;
    expect(performance.now() - started).toBeLessThan(5_000);
    agent.destroy();
    session.destroy();
    await expect(fetch(`${base}/`)).rejects.toThrow();
  });
});
