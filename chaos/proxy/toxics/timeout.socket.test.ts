import { afterEach, describe, expect, it } from 'vitest';
import { addToxicOk, SocketTestBed, sleep, startEchoServer, waitFor } from './socket-test-kit.js';

describe('timeout toxic on real sockets', () => {
  const bed = new SocketTestBed();
  afterEach(() => bed.stop());

  it('drops the replies and closes cleanly after the timeout', async () => {
    const proxy = await bed.start(startEchoServer());
    await addToxicOk(proxy, { type: 'timeout', attributes: { timeout: 500 } });
    const client = await bed.client();
    const connectedAt = performance.now();
    client.socket.write('ping');
    expect(await waitFor(() => client.outcome !== undefined, 5000)).toBe(true);
    expect(client.outcome).toBe('end');
    expect((client.outcomeAt ?? 0) - connectedAt).toBeGreaterThanOrEqual(450);
    expect(client.bytes()).toBe(0);
    expect(bed.upstream?.received[0]?.join('')).toBe('ping');
  });

  it('restarts its timer on every chunk in its direction', async () => {
    const proxy = await bed.start(startEchoServer());
    await addToxicOk(proxy, { type: 'timeout', attributes: { timeout: 600 } });
    const client = await bed.client();
    for (let step = 0; step < 8; step += 1) {
      client.socket.write('tick');
      await sleep(200);
    }
    expect(client.outcome).toBeUndefined();
    expect(await waitFor(() => client.outcome !== undefined, 5000)).toBe(true);
    expect(client.outcome).toBe('end');
  });

  it('with 0 holds the connection open, and closes it cleanly when removed', async () => {
    const proxy = await bed.start(startEchoServer());
    await addToxicOk(proxy, { type: 'timeout', attributes: { timeout: 0 } });
    const client = await bed.client();
    client.socket.write('ping');
    await sleep(1000);
    expect(client.outcome).toBeUndefined();
    expect(client.bytes()).toBe(0);
    await proxy.removeToxic('timeout_downstream');
    expect(await waitFor(() => client.outcome !== undefined, 5000)).toBe(true);
    expect(client.outcome).toBe('end');
  });
});
