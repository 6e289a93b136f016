import { createServer } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { stackErrors } from './errors.js';
import { startOnPort } from './ports.js';

const lostRace = () => stackErrors.exitedEarly('a part', 1, null, 'listen EADDRINUSE: address already in use 127.0.0.1:1234');

describe('startOnPort', () => {
  it('takes another free port when a child lost the race for the first one', async () => {
    const tried: number[] = [];
    const started = await startOnPort('a part', undefined, async (port) => {
      tried.push(port);
      if (tried.length === 1) throw lostRace();
      return `up on ${port}`;
    });
    expect(tried).toHaveLength(2);
    expect(started).toBe(`up on ${tried[1]}`);
  });

  it('gives up after its attempts, and never retries other failures', async () => {
    let calls = 0;
    await expect(startOnPort('a part', undefined, async () => { calls += 1; throw lostRace(); }, 3)).rejects.toMatchObject({ code: 'GAMEDAY_ERR_PROCESS_EXITED' });
    expect(calls).toBe(3);
    calls = 0;
    await expect(startOnPort('a part', undefined, async () => { calls += 1; throw stackErrors.missingRedis('redis-server'); })).rejects.toMatchObject({ code: 'GAMEDAY_ERR_MISSING_REDIS' });
    expect(calls).toBe(1);
  });

  it('keeps an asked-for port, and says clearly when it is busy', async () => {
    const busy = createServer().listen(0, '127.0.0.1');
    await once(busy, 'listening');
    try {
      const port = (busy.address() as { port: number }).port;
      await expect(startOnPort('a part', port, async (chosen) => chosen)).rejects.toMatchObject({ code: 'GAMEDAY_ERR_PORT_BUSY' });
    } finally {
      busy.close();
    }
  });
});
