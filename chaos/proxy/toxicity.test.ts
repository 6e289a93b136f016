import { afterEach, describe, expect, it } from 'vitest';
import { connect, portOf, recordingKind, startEchoUpstream, startTcpProxy, toxicRecord, waitFor, type Received } from './proxy-test-kit.js';
import type { ToxicRecord } from './toxic-list.js';

const connections = 16;

describe('toxicity', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /**
   * Which links of `connections` consecutive connections a toxicity-0.5 toxic acts on, for
   * one toxic present at connect and one added to the live connections, on both streams.
   */
  async function choices(seed: number): Promise<string> {
    const upstream = await startEchoUpstream();
    cleanups.push(() => upstream.close());
    const proxy = await startTcpProxy(upstream.address, seed, 'seeded');
    cleanups.push(() => proxy.stop());
    const atConnect: ToxicRecord[] = ['upstream', 'downstream'].map((stream) => toxicRecord(recordingKind().kind, `early_${stream}`, stream, 0.5));
    for (const record of atConnect) proxy.addToxic(record);
    const clients: Received[] = [];
    for (let index = 0; index < connections; index += 1) {
      clients.push(await connect(portOf(proxy.listen)));
      await waitFor(() => proxy.liveConnections().length === index + 1, 'the connection to be set up');
    }
    const added: ToxicRecord[] = ['upstream', 'downstream'].map((stream) => toxicRecord(recordingKind().kind, `late_${stream}`, stream, 0.5));
    for (const record of added) proxy.addToxic(record);
    const pattern = proxy
      .liveConnections()
      .sort((a, b) => a.id - b.id)
      .map((connection) =>
        [...atConnect, ...added].map((record) => (connection.link(record.direction).hasStage(record) ? '1' : '0')).join(''),
      )
      .join(' ');
    for (const client of clients) client.socket.destroy();
    return pattern;
  }

  it('is drawn per connection and direction from the seed: same seed, same choices', async () => {
    const first = await choices(7);
    const again = await choices(7);
    const otherSeed = await choices(8);
    expect(again).toBe(first);
    expect(otherSeed).not.toBe(first);
    // At 0.5 both outcomes occur for each toxic, whether present at connect or added later.
    const rows = first.split(' ');
    for (let column = 0; column < 4; column += 1) {
      expect(new Set(rows.map((row) => row[column]))).toEqual(new Set(['0', '1']));
    }
  });

  it('toxicity 0 never acts and 1 always does', async () => {
    const upstream = await startEchoUpstream();
    cleanups.push(() => upstream.close());
    const proxy = await startTcpProxy(upstream.address);
    cleanups.push(() => proxy.stop());
    const never = toxicRecord(recordingKind().kind, 'never', 'upstream', 0);
    const always = toxicRecord(recordingKind().kind, 'always', 'upstream', 1);
    proxy.addToxic(never);
    proxy.addToxic(always);
    const clients = [await connect(portOf(proxy.listen)), await connect(portOf(proxy.listen))];
    await waitFor(() => proxy.liveConnections().length === 2, 'two connections');
    for (const connection of proxy.liveConnections()) {
      expect(connection.link('upstream').hasStage(never)).toBe(false);
      expect(connection.link('upstream').hasStage(always)).toBe(true);
    }
    proxy.updateToxic(never, never.attributes, 1);
    for (const connection of proxy.liveConnections()) expect(connection.link('upstream').hasStage(never)).toBe(true);
    for (const client of clients) client.socket.destroy();
  });
});
