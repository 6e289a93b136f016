import { afterEach, describe, expect, it } from 'vitest';
import { addToxicOk, SocketTestBed, startEchoServer, waitFor, type Client } from './socket-test-kit.js';

/** Time from sending `text` to the whole echo arriving back. */
async function roundTrip(client: Client, text: string): Promise<number> {
  const before = client.bytes();
  const sentAt = performance.now();
  client.socket.write(text);
  expect(await waitFor(() => client.bytes() >= before + text.length, 5000)).toBe(true);
  return (client.dataTimes.at(-1) ?? Infinity) - sentAt;
}

describe('latency toxic on real sockets', () => {
  const bed = new SocketTestBed();
  afterEach(() => bed.stop());

  it('delays a reply by the latency, which the same request without it does not see', async () => {
    const proxy = await bed.start(startEchoServer());
    const plain = await roundTrip(await bed.client(), 'ping');
    await addToxicOk(proxy, { type: 'latency', attributes: { latency: 300 } });
    const delayed = await roundTrip(await bed.client(), 'ping');
    expect(delayed).toBeGreaterThanOrEqual(280);
    expect(plain).toBeLessThan(delayed - 200);
  });

  it('keeps bytes in order under jitter, and stops delaying once removed', async () => {
    const proxy = await bed.start(startEchoServer());
    await addToxicOk(proxy, { type: 'latency', stream: 'upstream', attributes: { latency: 100, jitter: 90 } });
    const client = await bed.client();
    const sent = Array.from({ length: 40 }, (_, index) => `<${index}>`).join('');
    for (let index = 0; index < 40; index += 1) client.socket.write(`<${index}>`);
    expect(await waitFor(() => client.bytes() >= sent.length, 5000)).toBe(true);
    expect(client.text()).toBe(sent);
    await proxy.removeToxic('latency_upstream');
    expect(await roundTrip(client, 'fast')).toBeLessThan(80);
  });
});
