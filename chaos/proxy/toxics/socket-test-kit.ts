import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { startToxiproxyServer, type RunningToxiproxy } from '../server.js';

/**
 * Real sockets for toxic tests: a small TCP server behind our proxy, started in process,
 * driven through the HTTP API with plain fetch as any user would.
 */

export interface TcpServer {
  port: number;
  /** Every connection accepted so far, newest last. */
  sockets: Socket[];
  /** Bytes received, per connection, in accept order. */
  received: Buffer[][];
  close(): Promise<void>;
}

/** A server on 127.0.0.1 that hands each connection to `onConnection` and records what arrives. */
export async function startTcpServer(onConnection: (socket: Socket) => void = () => {}): Promise<TcpServer> {
  const sockets: Socket[] = [];
  const received: Buffer[][] = [];
  const server: Server = createServer((socket) => {
    const chunks: Buffer[] = [];
    sockets.push(socket);
    received.push(chunks);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    sockets,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Echoes every byte back. */
export const startEchoServer = (): Promise<TcpServer> => startTcpServer((socket) => socket.pipe(socket));

export interface ProxyUnderTest {
  api: string;
  /** The port the proxy listens on for clients. */
  port: number;
  name: string;
  addToxic(toxic: { type: string; stream?: string; name?: string; toxicity?: number; attributes?: Record<string, unknown> }): Promise<Response>;
  updateToxic(name: string, attributes: Record<string, unknown>): Promise<void>;
  removeToxic(name: string): Promise<void>;
  stop(): Promise<void>;
}

async function expectStatus(response: Response, status: number, what: string): Promise<void> {
  if (response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status} ${await response.text()}`);
  }
}

/** Our Toxiproxy in process with one proxy named `under_test` in front of `upstreamPort`. */
export async function startProxy(upstreamPort: number, seed = 1): Promise<ProxyUnderTest> {
  const running: RunningToxiproxy = await startToxiproxyServer({ host: '127.0.0.1', port: 0, seed });
  try {
    const name = 'under_test';
    const created = await fetch(`${running.url}/proxies`, {
      method: 'POST',
      body: JSON.stringify({ name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstreamPort}` }),
    });
    await expectStatus(created, 201, 'create proxy');
    const { listen } = (await created.json()) as { listen: string };
    const toxicsUrl = `${running.url}/proxies/${name}/toxics`;
    return {
      api: running.url,
      port: Number(listen.slice(listen.lastIndexOf(':') + 1)),
      name,
      addToxic: (toxic) => fetch(toxicsUrl, { method: 'POST', body: JSON.stringify(toxic) }),
      async updateToxic(toxicName, attributes) {
        const response = await fetch(`${toxicsUrl}/${toxicName}`, { method: 'POST', body: JSON.stringify({ attributes }) });
        await expectStatus(response, 200, `update ${toxicName}`);
      },
      async removeToxic(toxicName) {
        await expectStatus(await fetch(`${toxicsUrl}/${toxicName}`, { method: 'DELETE' }), 204, `remove ${toxicName}`);
      },
      stop: () => running.stop(),
    };
  } catch (error) {
    await running.stop();
    throw error;
  }
}

/** Adds a toxic and fails loudly unless the API accepted it. */
export async function addToxicOk(proxy: ProxyUnderTest, toxic: Parameters<ProxyUnderTest['addToxic']>[0]): Promise<void> {
  await expectStatus(await proxy.addToxic(toxic), 200, `add ${toxic.type}`);
}

/** A client socket with everything it saw recorded, times in performance.now() ms. */
export interface Client {
  socket: Socket;
  data: Buffer[];
  dataTimes: number[];
  /** How the connection ended: 'end' (FIN), an error code such as ECONNRESET, or undefined while open. */
  outcome: string | undefined;
  outcomeAt: number | undefined;
  text(): string;
  bytes(): number;
}

export async function connectClient(port: number): Promise<Client> {
  const socket = connect(port, '127.0.0.1');
  const client: Client = {
    socket,
    data: [],
    dataTimes: [],
    outcome: undefined,
    outcomeAt: undefined,
    text: () => Buffer.concat(client.data).toString('latin1'),
    bytes: () => client.data.reduce((sum, chunk) => sum + chunk.length, 0),
  };
  const settle = (outcome: string): void => {
    if (client.outcome !== undefined) return;
    client.outcome = outcome;
    client.outcomeAt = performance.now();
  };
  socket.on('data', (chunk: Buffer) => {
    client.data.push(chunk);
    client.dataTimes.push(performance.now());
  });
  socket.on('end', () => settle('end'));
  socket.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? error.message));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return client;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 10 ms until it holds or `withinMs` passes; returns whether it held. */
export async function waitFor(condition: () => boolean, withinMs: number): Promise<boolean> {
  const deadline = performance.now() + withinMs;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

/**
 * One upstream server, our proxy in front of it, and the clients a test opens; `stop()`
 * closes them all (call it from afterEach so a failing test leaves nothing running).
 */
export class SocketTestBed {
  upstream: TcpServer | undefined;
  proxy: ProxyUnderTest | undefined;
  private readonly clients: Client[] = [];

  async start(upstream: Promise<TcpServer>, seed = 1): Promise<ProxyUnderTest> {
    this.upstream = await upstream;
    this.proxy = await startProxy(this.upstream.port, seed);
    return this.proxy;
  }

  /** A client connected through the proxy. */
  async client(): Promise<Client> {
    if (this.proxy === undefined) throw new Error('start the test bed first');
    const client = await connectClient(this.proxy.port);
    this.clients.push(client);
    return client;
  }

  /** A client connected straight to the upstream, for a baseline without the proxy's toxics. */
  async directClient(): Promise<Client> {
    if (this.upstream === undefined) throw new Error('start the test bed first');
    const client = await connectClient(this.upstream.port);
    this.clients.push(client);
    return client;
  }

  async stop(): Promise<void> {
    for (const client of this.clients.splice(0)) client.socket.destroy();
    await this.proxy?.stop();
    await this.upstream?.close();
    this.proxy = undefined;
    this.upstream = undefined;
  }
}
