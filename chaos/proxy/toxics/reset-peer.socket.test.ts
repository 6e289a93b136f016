import { afterEach, describe, expect, it } from 'vitest';
import { addToxicOk, SocketTestBed, sleep, startEchoServer, waitFor } from './socket-test-kit.js';

describe('reset_peer toxic on real sockets', () => {
  const bed = new SocketTestBed();
  afterEach(() => bed.stop());

  it('present at connect: leaves an idle connection alone, then RSTs after the first data', async () => {
    const proxy = await bed.start(startEchoServer());
    await addToxicOk(proxy, { type: 'reset_peer', attributes: { timeout: 300 } });
    const client = await bed.client();
    await sleep(600);
    expect(client.outcome).toBeUndefined();
    const sentAt = performance.now();
    client.socket.write('ping');
    expect(await waitFor(() => client.outcome !== undefined, 5000)).toBe(true);
    expect(client.outcome).toBe('ECONNRESET');
    expect((client.outcomeAt ?? 0) - sentAt).toBeGreaterThanOrEqual(270);
    expect(client.bytes()).toBe(0);
  });

  it('added to a live connection: closes with FIN, not RST', async () => {
    const proxy = await bed.start(startEchoServer());
    const client = await bed.client();
    // An echo proves the proxied connection is up before the toxic arrives.
    client.socket.write('warm-up');
    expect(await waitFor(() => client.text() === 'warm-up', 2000)).toBe(true);
    await addToxicOk(proxy, { type: 'reset_peer', attributes: { timeout: 100 } });
    client.socket.write('ping');
    expect(await waitFor(() => client.outcome !== undefined, 5000)).toBe(true);
    expect(client.outcome).toBe('end');
  });
});
