import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkTarget, targetFromUrl } from './target-check.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  })));
});

/** A server that answers REST like the chat service but is not one on its WebSocket (or has none). */
async function almostTheService(onUpgrade?: (socket: Socket) => void): Promise<string> {
  const server = createServer((request, response) => {
    if (request.method === 'POST' && request.url === '/v1/sessions') {
      response.statusCode = 201;
      response.end(JSON.stringify({ sessionId: 'abcdefghijklmnopqrstuvwx', token: 't', expiresAt: '' }));
      return;
    }
    response.statusCode = request.method === 'DELETE' ? 204 : 200;
    response.end(request.method === 'DELETE' ? undefined : '{}');
  });
  if (onUpgrade) server.on('upgrade', (_request, socket) => onUpgrade(socket as Socket));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

describe('a --target', () => {
  it('is the service\'s base URL: REST there, the WebSocket at /v1/ws, and mobile sessions straight to it', () => {
    expect(targetFromUrl('http://127.0.0.1:8080/')).toEqual({ http: 'http://127.0.0.1:8080', ws: 'ws://127.0.0.1:8080/v1/ws', carrierWs: 'ws://127.0.0.1:8080/v1/ws' });
    expect(targetFromUrl('https://chat.example.com/staging//')).toEqual({
      http: 'https://chat.example.com/staging', ws: 'wss://chat.example.com/staging/v1/ws', carrierWs: 'wss://chat.example.com/staging/v1/ws',
    });
  });

  it('whose WebSocket does not upgrade is refused, naming what it answered', async () => {
    const noUpgrade = targetFromUrl(await almostTheService());
    await expect(checkTarget(noUpgrade)).rejects.toMatchObject({ code: 'GAMEDAY_ERR_TARGET_NOT_READY', message: expect.stringMatching(/WebSocket/) });
    const rawHttp = targetFromUrl(await almostTheService((socket) => socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n')));
    await expect(checkTarget(rawHttp)).rejects.toMatchObject({ message: expect.stringContaining('the WebSocket upgrade answered HTTP 403') });
  });
});
