import { afterEach, describe, expect, it } from 'vitest';
import { addToxicOk, SocketTestBed, sleep, startTcpServer, waitFor } from './socket-test-kit.js';

const payload = Buffer.alloc(150_000, 'b');

describe('bandwidth toxic on real sockets', () => {
  const bed = new SocketTestBed();
  afterEach(() => bed.stop());

  it('paces a download to the rate, measured over more than a second (±35 %)', async () => {
    const proxy = await bed.start(startTcpServer((socket) => socket.write(payload)));
    await addToxicOk(proxy, { type: 'bandwidth', attributes: { rate: 100 } });
    const startedAt = performance.now();
    const client = await bed.client();
    expect(await waitFor(() => client.bytes() >= payload.length, 10_000)).toBe(true);
    const seconds = ((client.dataTimes.at(-1) ?? Infinity) - startedAt) / 1000;
    const kilobytesPerSecond = payload.length / 1000 / seconds;
    expect(kilobytesPerSecond).toBeGreaterThan(100 * 0.65);
    expect(kilobytesPerSecond).toBeLessThan(100 * 1.35);
  });

  it('stalls at rate 0 and lets data go once the rate is raised live', async () => {
    const proxy = await bed.start(startTcpServer((socket) => socket.write(payload)));
    await addToxicOk(proxy, { type: 'bandwidth', name: 'choke', attributes: { rate: 0 } });
    const client = await bed.client();
    await sleep(500);
    expect(client.bytes()).toBe(0);
    const raisedAt = performance.now();
    await proxy.updateToxic('choke', { rate: 100 });
    expect(await waitFor(() => client.bytes() >= payload.length, 10_000)).toBe(true);
    const seconds = ((client.dataTimes.at(-1) ?? Infinity) - raisedAt) / 1000;
    expect(payload.length / 1000 / seconds).toBeGreaterThan(100 * 0.65);
    expect(payload.length / 1000 / seconds).toBeLessThan(100 * 1.35);
  });

  it('answers 400 to a negative rate', async () => {
    const proxy = await bed.start(startTcpServer());
    const response = await proxy.addToxic({ type: 'bandwidth', attributes: { rate: -1 } });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/negative rate/);
  });
});
