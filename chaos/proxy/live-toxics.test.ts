import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../stack/random.js';
import type { TcpProxy } from './proxy.js';
import {
  connect,
  deferringKind,
  holdingKind,
  portOf,
  recordingKind,
  startEchoUpstream,
  startTcpProxy,
  startUpstream,
  toxicRecord,
  waitFor,
  type Upstream,
} from './proxy-test-kit.js';
import type { ToxicRecord } from './toxic-list.js';

describe('toxics added and removed on live connections', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function proxyTo(upstream: Upstream): Promise<TcpProxy> {
    cleanups.push(() => upstream.close());
    const proxy = await startTcpProxy(upstream.address);
    cleanups.push(() => proxy.stop());
    return proxy;
  }

  it('a removed stage hands on what it held before anything sent later', async () => {
    const upstream = await startUpstream();
    const proxy = await proxyTo(upstream);
    const { kind, stages } = holdingKind();
    const hold = toxicRecord(kind, 'hold', 'upstream');
    proxy.addToxic(hold);
    const client = await connect(portOf(proxy.listen));
    client.socket.write('first ');
    await waitFor(() => stages[0]?.heldBytes() === 6, 'the stage to hold the first bytes');
    expect(upstream.sockets[0]?.text()).toBe('');
    proxy.removeToxic(hold);
    client.socket.write('second');
    await waitFor(() => upstream.sockets[0]?.text() === 'first second', 'both writes upstream, in order');
    client.socket.destroy();
  });

  it('a stage added behind held data sees that data, in order, once it moves', async () => {
    const upstream = await startUpstream();
    const proxy = await proxyTo(upstream);
    const { kind: holdKind, stages } = holdingKind();
    const { kind: recordKind, sizes } = recordingKind();
    proxy.addToxic(toxicRecord(holdKind, 'hold', 'upstream'));
    const client = await connect(portOf(proxy.listen));
    client.socket.write('aaa');
    await waitFor(() => stages[0]?.heldBytes() === 3, 'the first write to be held');
    proxy.addToxic(toxicRecord(recordKind, 'record', 'upstream'));
    client.socket.write('bbbb');
    await waitFor(() => stages[0]?.heldBytes() === 7, 'the second write to be held');
    expect(sizes).toEqual([]);
    stages[0]?.release();
    await waitFor(() => upstream.sockets[0]?.text() === 'aaabbbb', 'the held bytes upstream');
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(7);
    client.socket.destroy();
  });

  it('keeps byte order on both links while stages come and go mid-stream', async () => {
    const proxy = await proxyTo(await startEchoUpstream());
    const client = await connect(portOf(proxy.listen));
    const random = seededRandom(42);
    const present: ToxicRecord[] = [];
    const sent: Buffer[] = [];
    for (let index = 0; index < 600; index += 1) {
      const chunk = Buffer.from(`<${index}:${'x'.repeat(Math.floor(random() * 2_000))}>`);
      sent.push(chunk);
      client.socket.write(chunk);
      if (random() < 0.5 || present.length === 0) {
        const record = toxicRecord(deferringKind, `defer-${index}`, random() < 0.5 ? 'upstream' : 'downstream');
        proxy.addToxic(record);
        present.push(record);
      } else {
        const [record] = present.splice(Math.floor(random() * present.length), 1);
        proxy.removeToxic(record as ToxicRecord);
      }
      await nextTurn();
    }
    const expected = Buffer.concat(sent);
    await waitFor(() => client.length() >= expected.length, 'the whole echo');
    expect(client.bytes().equals(expected)).toBe(true);
    expect(proxy.liveConnections()[0]?.link('upstream').stageCount()).toBeGreaterThan(0);
    client.socket.destroy();
  });
});
