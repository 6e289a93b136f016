import { afterEach, describe, expect, it } from 'vitest';
import { addToxicOk, SocketTestBed, startTcpServer, waitFor } from './socket-test-kit.js';

/** Says goodbye and closes at once. */
const startGoodbyeServer = () => startTcpServer((socket) => socket.end('bye'));

describe('slow_close toxic on real sockets', () => {
  const bed = new SocketTestBed();
  afterEach(() => bed.stop());

  it('passes the data at once and the close only after the delay', async () => {
    const proxy = await bed.start(startGoodbyeServer());
    const plain = await bed.client();
    expect(await waitFor(() => plain.outcome !== undefined, 5000)).toBe(true);
    const plainLag = (plain.outcomeAt ?? Infinity) - (plain.dataTimes[0] ?? 0);

    await addToxicOk(proxy, { type: 'slow_close', attributes: { delay: 500 } });
    const slow = await bed.client();
    expect(await waitFor(() => slow.outcome !== undefined, 5000)).toBe(true);
    expect(slow.text()).toBe('bye');
    expect(slow.outcome).toBe('end');
    const slowLag = (slow.outcomeAt ?? 0) - (slow.dataTimes[0] ?? Infinity);
    expect(slowLag).toBeGreaterThanOrEqual(450);
    expect(plainLag).toBeLessThan(slowLag - 300);
  });
});
