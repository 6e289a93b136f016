import { createServer } from 'node:net';
import { stackErrors } from './errors.js';

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
