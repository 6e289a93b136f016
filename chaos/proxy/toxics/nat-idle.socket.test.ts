import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { addToxicOk, SocketTestBed, sleep, startTcpServer, waitFor } from './socket-test-kit.js';

const idleMs = 600;

/** How each upstream connection ended, as the server saw it ('end', an error code, 'close'). */
function watchedUpstream(outcomes: string[]) {
  return startTcpServer((socket: Socket) => {
    const index = outcomes.push('') - 1;
    const settle = (outcome: string): void => {
      if (outcomes[index] === '') outcomes[index] = outcome;
    };
    socket.on('end', () => settle('end'));
    socket.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? 'error'));
    socket.on('close', () => settle('close'));
  });
}

describe('nat_idle toxic on real sockets', () => {
  const bed = new SocketTestBed();
  afterEach(() => bed.stop());

  it('blackhole: an idle connection goes silent both ways, with no FIN or RST to either side', async () => {
    const upstreamOutcomes: string[] = [];
    const proxy = await bed.start(watchedUpstream(upstreamOutcomes));
    await addToxicOk(proxy, { type: 'nat_idle', attributes: { idle_ms: idleMs } });
    const client = await bed.client();
    client.socket.write('hello');
    expect(await waitFor(() => bed.upstream?.received[0]?.length === 1, 2000)).toBe(true);
    await sleep(idleMs + 400);
    client.socket.write('late');
    bed.upstream?.sockets[0]?.write('from-server');
    await sleep(1500);
    expect(Buffer.concat(bed.upstream?.received[0] ?? []).toString()).toBe('hello');
    expect(client.bytes()).toBe(0);
    expect(client.outcome).toBeUndefined();
    expect(upstreamOutcomes).toEqual(['']);
  });

  it('blackhole: removing the toxic then destroys the silent connection', async () => {
    const proxy = await bed.start(startTcpServer());
    await addToxicOk(proxy, { type: 'nat_idle', attributes: { idle_ms: idleMs } });
    const client = await bed.client();
    await sleep(idleMs + 400);
    expect(client.outcome).toBeUndefined();
    await proxy.removeToxic('nat_idle_downstream');
    expect(await waitFor(() => client.socket.destroyed || client.outcome !== undefined, 3000)).toBe(true);
  });

  it('reset: an idle connection gets ECONNRESET after idle_ms', async () => {
    const proxy = await bed.start(startTcpServer());
    await addToxicOk(proxy, { type: 'nat_idle', attributes: { idle_ms: idleMs, mode: 'reset' } });
    const connectedAt = performance.now();
    const client = await bed.client();
    expect(await waitFor(() => client.outcome !== undefined, idleMs + 3000)).toBe(true);
    expect(client.outcome).toBe('ECONNRESET');
    expect((client.outcomeAt ?? 0) - connectedAt).toBeGreaterThanOrEqual(idleMs - 50);
  });

  it('keeps a connection whose client sends every idle_ms/3', async () => {
    const proxy = await bed.start(startTcpServer());
    await addToxicOk(proxy, { type: 'nat_idle', attributes: { idle_ms: idleMs, mode: 'reset' } });
    const client = await bed.client();
    for (let beat = 0; beat < 12; beat += 1) {
      client.socket.write('.');
      await sleep(idleMs / 3);
    }
    expect(client.outcome).toBeUndefined();
    expect(Buffer.concat(bed.upstream?.received[0] ?? []).toString()).toBe('.'.repeat(12));
  });

  it('keeps a connection busy only in the other direction (the toxic watches both)', async () => {
    const proxy = await bed.start(startTcpServer());
    // On the client → server stream, while only the server talks.
    await addToxicOk(proxy, { type: 'nat_idle', stream: 'upstream', attributes: { idle_ms: idleMs } });
    const client = await bed.client();
    expect(await waitFor(() => bed.upstream?.sockets.length === 1, 2000)).toBe(true);
    for (let beat = 0; beat < 12; beat += 1) {
      bed.upstream?.sockets[0]?.write('.');
      await sleep(idleMs / 3);
    }
    client.socket.write('still here');
    expect(await waitFor(() => Buffer.concat(bed.upstream?.received[0] ?? []).toString() === 'still here', 2000)).toBe(true);
    expect(client.text()).toBe('.'.repeat(12));
  });
});
