import WebSocket from 'ws';
import { parseFrame } from './chat-frames.js';

export type ConnectOutcome =
  | { ok: true; socket: WebSocket; turnCount: number }
  | { ok: false; retryable: boolean; reason: string; code: string | null };

// Refused at the door (bad id, no token, no such session or not the owner's): trying again cannot help.
const permanentCloseCodes = new Set([4400, 4401, 4404]);

const ignoreError = () => undefined;

export function sessionSocketUrl(wsUrl: string, sessionId: string, token: string): string {
  return `${wsUrl}?sessionId=${encodeURIComponent(sessionId)}&token=${encodeURIComponent(token)}`;
}

/**
 * One connection attempt: open the socket and wait for `ready`, a refusal, or `timeoutMs`.
 * `onReady` takes the socket in the same tick as `ready`, so a frame right behind it is not missed.
 */
export function connectOnce(url: string, timeoutMs: number, onReady: (socket: WebSocket) => void): Promise<ConnectOutcome> {
  // Compression costs CPU per frame on both sides; UTF-8 is checked by the JSON parse where it matters.
  const socket = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
  // ws emits 'error' before 'close'; without a listener an error would crash the generator.
  socket.on('error', ignoreError);
  return new Promise((resolve) => {
    let refusal: { code: string; message: string } | null = null;
    let lastError = '';
    const finish = (outcome: ConnectOutcome) => {
      clearTimeout(timer);
      socket.off('message', onMessage);
      socket.off('close', onClose);
      socket.off('error', onError);
      resolve(outcome);
    };
    const onMessage = (data: WebSocket.RawData) => {
      const frame = parseFrame(data as Buffer);
      if (frame.type === 'ready' && typeof frame.turnCount === 'number') {
        finish({ ok: true, socket, turnCount: frame.turnCount });
        onReady(socket);
      } else if (frame.type === 'error') refusal = { code: String(frame.code), message: String(frame.message ?? '') };
    };
    const onClose = (closeCode: number) => {
      const detail = refusal ? `${refusal.code}: ${refusal.message}` : lastError || 'no ready frame';
      finish({ ok: false, retryable: !permanentCloseCodes.has(closeCode), reason: `closed ${closeCode} (${detail})`, code: refusal?.code ?? null });
    };
    const onError = (error: Error) => { lastError = error.message; };
    const timer = setTimeout(() => {
      socket.terminate();
      finish({ ok: false, retryable: true, reason: `no ready frame within ${timeoutMs} ms`, code: null });
    }, timeoutMs);
    socket.on('message', onMessage);
    socket.on('close', onClose);
    socket.on('error', onError);
  });
}
