import { once } from 'node:events';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { maxHeldBytes } from './link-chain.js';
import type { TcpProxy } from './proxy.js';
import { connect, holdingKind, portOf, startTcpProxy, startUpstream, toxicRecord, waitFor } from './proxy-test-kit.js';

// More than every kernel buffer between the two ends can take, so the source really stalls.
const total = 64 * 1024 * 1024;
// One socket read (64 KiB) may land after the limit is crossed, before the pause takes hold.
const oneRead = 64 * 1024;

/** Writes `total` bytes (a repeating count) as fast as the socket takes them; resolves when all are written. */
async function pour(socket: Socket, progress: { written: number }): Promise<void> {
  const block = Buffer.alloc(64 * 1024);
  for (let offset = 0; offset < total; offset += block.length) {
    for (let i = 0; i < block.length; i += 1) block[i] = (offset + i) % 251;
    progress.written += block.length;
    if (!socket.write(Buffer.from(block))) await once(socket, 'drain');
  }
}

function isCount(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i += 1) if (bytes[i] !== i % 251) return false;
  return true;
}

describe('backpressure', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function pouringProxy(): Promise<{ proxy: TcpProxy; progress: { written: number }; poured: Promise<void>[] }> {
    const progress = { written: 0 };
    const poured: Promise<void>[] = [];
    const upstream = await startUpstream((socket) => {
      poured.push(pour(socket, progress).catch(() => undefined));
    });
    cleanups.push(() => upstream.close());
    const proxy = await startTcpProxy(upstream.address);
    cleanups.push(() => proxy.stop());
    return { proxy, progress, poured };
  }

  it('a stage that holds data makes the link pause its source past 1 MiB, and resume once released', async () => {
    const { proxy, progress, poured } = await pouringProxy();
    const { kind, stages } = holdingKind();
    proxy.addToxic(toxicRecord(kind, 'hold', 'downstream'));
    const client = await connect(portOf(proxy.listen));
    await waitFor(() => proxy.liveConnections()[0]?.link('downstream').isSourcePaused() === true, 'the upstream socket to be paused');
    const link = proxy.liveConnections()[0]?.link('downstream');
    expect(link?.heldBytes()).toBeGreaterThan(maxHeldBytes);
    expect(link?.heldBytes()).toBeLessThanOrEqual(maxHeldBytes + oneRead);
    expect(stages[0]?.heldBytes()).toBe(link?.heldBytes());
    expect(progress.written).toBeLessThan(total);

    stages[0]?.release();
    await Promise.all(poured);
    await waitFor(() => client.length() === total, 'every byte at the client');
    expect(isCount(client.bytes())).toBe(true);
    expect(link?.isSourcePaused()).toBe(false);
    client.socket.destroy();
  });

  it('a client that does not read makes the link pause its source instead of buffering', async () => {
    const { proxy, progress, poured } = await pouringProxy();
    const client = await connect(portOf(proxy.listen));
    client.socket.pause();
    await waitFor(() => proxy.liveConnections()[0]?.link('downstream').isSourcePaused() === true, 'the upstream socket to be paused');
    const written = progress.written;
    expect(written).toBeLessThan(total);
    expect(proxy.liveConnections()[0]?.link('downstream').heldBytes()).toBe(0);

    client.socket.resume();
    await Promise.all(poured);
    await waitFor(() => client.length() === total, 'every byte at the client');
    expect(isCount(client.bytes())).toBe(true);
    client.socket.destroy();
  });
});
