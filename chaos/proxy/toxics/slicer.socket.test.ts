import { afterEach, describe, expect, it } from 'vitest';
import { addToxicOk, SocketTestBed, startTcpServer, waitFor } from './socket-test-kit.js';

const message = Array.from({ length: 20 }, (_, index) => `piece${String(index).padStart(2, '0')}`).join('');

describe('slicer toxic on real sockets', () => {
  const bed = new SocketTestBed();
  afterEach(() => bed.stop());

  it('delivers a reply intact in many small pieces spread by the delay', async () => {
    const proxy = await bed.start(startTcpServer((socket) => socket.write(message)));
    await addToxicOk(proxy, { type: 'slicer', attributes: { average_size: 10, size_variation: 3, delay: 30_000 } });
    const client = await bed.client();
    expect(await waitFor(() => client.bytes() >= message.length, 5000)).toBe(true);
    expect(client.text()).toBe(message);
    // 140 bytes in ~10-byte pieces 30 ms apart: at least a few reads, well over 150 ms in all.
    expect(client.data.length).toBeGreaterThanOrEqual(4);
    expect((client.dataTimes.at(-1) ?? 0) - (client.dataTimes[0] ?? Infinity)).toBeGreaterThanOrEqual(150);
  });

  it('answers 400 to average_size 0 with size_variation 0, which hangs the real server', async () => {
    const proxy = await bed.start(startTcpServer());
    const response = await proxy.addToxic({ type: 'slicer', attributes: { average_size: 0, size_variation: 0 } });
    expect(response.status).toBe(400);
  });
});
