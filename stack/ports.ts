import { createServer } from 'node:net';
import { StackError, stackErrors } from './errors.js';

export const loopback = '127.0.0.1';

function tryListen(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(null));
    server.listen({ port, host: loopback, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : null;
      server.close(() => resolve(bound));
    });
  });
}

/** A port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  const port = await tryListen(0);
  if (port === null) throw new Error('the OS could not give a free port on 127.0.0.1');
  return port;
}

/** The asked-for port if it is free (a clear error if not), or a free one when none is asked for. */
export async function choosePort(what: string, wanted: number | undefined): Promise<number> {
  if (wanted === undefined || wanted === 0) return freePort();
  if ((await tryListen(wanted)) === null) throw stackErrors.portBusy(what, wanted);
  return wanted;
}

// Another process can take a port between freePort() and the child's bind; every child we start
// says so in its log as "... already in use", which exitedEarly carries in its message.
function lostPortRace(error: unknown): boolean {
  return error instanceof StackError && error.code === 'GAMEDAY_ERR_PROCESS_EXITED' && /already in use/i.test(error.message);
}

/**
 * Starts something on the asked-for port, or on a free one; a free port that another process
 * took before our child could bind it is replaced by another, up to `attempts` times.
 */
export async function startOnPort<T>(what: string, wanted: number | undefined, start: (port: number) => Promise<T>, attempts = 3): Promise<T> {
  if (wanted !== undefined && wanted !== 0) return start(await choosePort(what, wanted));
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start(await freePort());
    } catch (error) {
      if (attempt >= attempts || !lostPortRace(error)) throw error;
    }
  }
}
