import WebSocket from 'ws';

/** A minimal protocol-v1 chat client for tests: one socket, one turn at a time. */
export interface ChatClient {
  ready: Promise<{ turnCount: number }>;
  /**
   * Sends a message; resolves with its `done` (or rejects with its `error` frame's code). After
   * `onRestart` the chunks are a new answer: the text before it is void.
   */
  turn(messageId: string, text: string, onChunk?: (text: string) => void, onRestart?: () => void): Promise<DoneFrame>;
  closed: Promise<number>;
  close(): void;
}

export interface DoneFrame {
  type: 'done';
  messageId: string;
  turnCount: number;
  usage: { inputTokens: number; outputTokens: number };
  model: string;
  summarised: boolean;
}

// Past the service's 25 s turn budget, which a restart on Haiku stays inside.
const turnTimeoutMs = 30_000;

type Frame = { type: string; messageId?: string; code?: string; text?: string; turnCount?: number; ts?: number };

export function connectChat(wsUrl: string, sessionId: string, token: string): ChatClient {
  const socket = new WebSocket(`${wsUrl}?sessionId=${encodeURIComponent(sessionId)}&token=${encodeURIComponent(token)}`);
  const waiting = new Map<string, {
    resolve(done: DoneFrame): void; reject(error: Error): void; onChunk?: (text: string) => void; onRestart?: () => void;
  }>();
  let markReady: (value: { turnCount: number }) => void = () => undefined;
  let failReady: (error: Error) => void = () => undefined;
  const ready = new Promise<{ turnCount: number }>((resolve, reject) => { markReady = resolve; failReady = reject; });
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => {
    const gone = new Error(`socket closed (${code})`);
    failReady(gone);
    for (const pending of waiting.values()) pending.reject(gone);
    resolve(code);
  }));
  socket.on('error', () => undefined);
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as Frame;
    if (frame.type === 'ready') markReady({ turnCount: frame.turnCount ?? -1 });
    else if (frame.type === 'ping') socket.send(JSON.stringify({ type: 'pong', ts: frame.ts }));
    else if (frame.type === 'chunk') waiting.get(frame.messageId ?? '')?.onChunk?.(frame.text ?? '');
    else if (frame.type === 'restart') waiting.get(frame.messageId ?? '')?.onRestart?.();
    else if (frame.type === 'done') {
      waiting.get(frame.messageId ?? '')?.resolve(frame as unknown as DoneFrame);
      waiting.delete(frame.messageId ?? '');
    } else if (frame.type === 'error') {
      const error = new Error(frame.code ?? 'error');
      if (frame.messageId && waiting.has(frame.messageId)) {
        waiting.get(frame.messageId)?.reject(error);
        waiting.delete(frame.messageId);
      } else failReady(error);
    }
  });
  return {
    ready,
    closed,
    turn(messageId, text, onChunk, onRestart) {
      return new Promise((resolve, reject) => {
        // A turn that never ends says which one, instead of a bare test timeout.
        const timer = setTimeout(() => {
          waiting.delete(messageId);
          reject(new Error(`no done or error for ${messageId} within ${turnTimeoutMs} ms`));
        }, turnTimeoutMs);
        const settle = <T>(finish: (value: T) => void) => (value: T) => { clearTimeout(timer); finish(value); };
        waiting.set(messageId, { resolve: settle(resolve), reject: settle(reject), onChunk, onRestart });
        socket.send(JSON.stringify({ type: 'message', messageId, text }));
      });
    },
    close: () => socket.close(),
  };
}

export async function createSession(baseUrl: string, customerId: string): Promise<{ sessionId: string; token: string }> {
  const response = await fetch(`${baseUrl}/v1/sessions`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId }),
  });
  if (response.status !== 201) throw new Error(`create session answered ${response.status}`);
  return (await response.json()) as { sessionId: string; token: string };
}

export async function listAllTurns(baseUrl: string, sessionId: string, token: string): Promise<Array<{ idx: number; role: string; messageId: string }>> {
  const turns: Array<{ idx: number; role: string; messageId: string }> = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response = await fetch(`${baseUrl}/v1/sessions/${sessionId}/turns?limit=100${query}`, { headers: { authorization: `Bearer ${token}` } });
    const page = (await response.json()) as { turns: Array<{ idx: number; role: string; messageId: string }>; nextCursor: string | null };
    turns.push(...page.turns);
    cursor = page.nextCursor;
  } while (cursor);
  return turns;
}
