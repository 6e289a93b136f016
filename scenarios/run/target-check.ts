import WebSocket from 'ws';
import { runErrors } from './run-errors.js';
import type { LoadTarget } from '../../engine/session-plan.js';

const timeoutMs = 5_000;

/**
 * The REST base and WebSocket URL of a deployment given as `--target URL` (http or https). It
 * has no carrier proxy of ours: mobile sessions reach it at its own address, as a phone would.
 */
export function targetFromUrl(url: string): LoadTarget {
  const base = new URL(url);
  const path = base.pathname.replace(/\/+$/, '');
  const ws = `${base.protocol === 'https:' ? 'wss:' : 'ws:'}//${base.host}${path}/v1/ws`;
  return { http: `${base.protocol}//${base.host}${path}`, ws, carrierWs: ws };
}

const reason = (error: unknown): string => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
};

async function call(target: LoadTarget, path: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(`${target.http}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw runErrors.targetUnreachable(target.http, `${init.method ?? 'GET'} ${path}: ${reason(error)}`);
  }
}

/** Opens the chat socket and waits for protocol v1's ready frame; resolves with what went wrong, or null. */
function readyFrameProblem(url: string): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { handshakeTimeout: timeoutMs });
    const timer = setTimeout(() => finish(`no ready frame within ${timeoutMs} ms`), timeoutMs);
    const finish = (problem: string | null) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      resolve(problem);
    };
    socket.once('unexpected-response', (_request, response) => finish(`the WebSocket upgrade answered HTTP ${response.statusCode}`));
    socket.once('error', (error) => finish(`the WebSocket upgrade failed: ${reason(error)}`));
    socket.once('close', (code) => finish(`the WebSocket closed with ${code} before ready`));
    socket.once('message', (data) => {
      let frame: { type?: unknown } = {};
      try {
        frame = JSON.parse(data.toString()) as { type?: unknown };
      } catch {
        // not JSON: reported below as not the ready frame
      }
      finish(frame.type === 'ready' ? null : `the first WebSocket frame was not {"type":"ready"}: ${data.toString().slice(0, 80)}`);
    });
  });
}

/**
 * Checks a deployment we did not start before any load goes to it: /healthz and /readyz answer
 * 200, a session can be created, and its WebSocket upgrades and says ready. The check's own
 * session is deleted again. A refused or wrong target is a RunError naming what failed.
 */
export async function checkTarget(target: LoadTarget): Promise<void> {
  for (const path of ['/healthz', '/readyz']) {
    const response = await call(target, path);
    if (!response.ok) throw runErrors.targetNotChatService(target.http, `GET ${path} answered ${response.status}`);
  }
  const created = await call(target, '/v1/sessions', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId: 'gameday-target-check' }),
  });
  const session = await created.json().catch(() => null) as { sessionId?: unknown; token?: unknown } | null;
  if (created.status !== 201 || typeof session?.sessionId !== 'string' || typeof session.token !== 'string') {
    throw runErrors.targetNotChatService(target.http, `POST /v1/sessions answered ${created.status} without a sessionId and token`);
  }
  const { sessionId, token } = session as { sessionId: string; token: string };
  try {
    const problem = await readyFrameProblem(`${target.ws}?sessionId=${encodeURIComponent(sessionId)}&token=${encodeURIComponent(token)}`);
    if (problem) throw runErrors.targetNotChatService(target.http, problem);
  } finally {
    await fetch(`${target.http}/v1/sessions/${encodeURIComponent(sessionId)}`, {
      method: 'DELETE', headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs),
    }).catch(() => undefined);
  }
}
