import { afterEach, describe, expect, it } from 'vitest';
import { addToxicOk, SocketTestBed, startTcpServer, waitFor } from './socket-test-kit.js';

describe('limit_data toxic on real sockets', () => {
  const bed = new SocketTestBed();
  afterEach(() => bed.stop());

  it('forwards exactly the limit, then closes the connection', async () => {
    const proxy = await bed.start(startTcpServer((socket) => socket.write(Buffer.alloc(50_000, 'd'))));
    await addToxicOk(proxy, { type: 'limit_data', attributes: { bytes: 1000 } });
    const client = await bed.client();
    expect(await waitFor(() => client.outcome !== undefined, 5000)).toBe(true);
    expect(client.outcome).toBe('end');
    expect(client.bytes()).toBe(1000);
  });

  it('counts upstream bytes too: the server gets only the limit', async () => {
    const proxy = await bed.start(startTcpServer());
    await addToxicOk(proxy, { type: 'limit_data', stream: 'upstream', attributes: { bytes: 5 } });
    const client = await bed.client();
    client.socket.write('helloworld');
    expect(await waitFor(() => client.outcome !== undefined, 5000)).toBe(true);
    expect(Buffer.concat(bed.upstream?.received[0] ?? []).toString()).toBe('hello');
  });
});
