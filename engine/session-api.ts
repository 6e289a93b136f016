/** The two REST calls of protocol v1 a load session needs: create, and read the history back. */
export interface CreatedSession {
  sessionId: string;
  token: string;
}

export interface StoredTurnView {
  idx: number;
  role: string;
  content: string;
  messageId: string;
}

const requestTimeoutMs = 10_000;
// A history page holds at most 100 turns; a 60-turn incident session is two pages.
const pageLimit = 100;
const maxPages = 1_000;

/**
 * A request cut after requestTimeoutMs or when the caller's signal aborts. Not AbortSignal.any
 * over AbortSignal.timeout: Node 20 holds those sources weakly, and after a GC the timeout never fires.
 */
async function withTimeout<T>(signal: AbortSignal | undefined, request: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), requestTimeoutMs);
  const forward = () => controller.abort(signal?.reason);
  if (signal?.aborted) forward();
  else signal?.addEventListener('abort', forward, { once: true });
  try {
    return await request(controller.signal);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', forward);
  }
}

async function failure(response: Response, what: string): Promise<Error> {
  const body = await response.text().catch(() => '');
  return new Error(`${what} answered ${response.status}${body ? `: ${body.slice(0, 200)}` : ''}`);
}

export function createSession(http: string, customerId: string, signal?: AbortSignal): Promise<CreatedSession> {
  return withTimeout(signal, async (cut) => {
    const response = await fetch(`${http}/v1/sessions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId }), signal: cut,
    });
    if (response.status !== 201) throw await failure(response, 'POST /v1/sessions');
    const body = (await response.json()) as Partial<CreatedSession>;
    if (typeof body.sessionId !== 'string' || typeof body.token !== 'string') throw new Error('POST /v1/sessions answered without sessionId and token');
    return { sessionId: body.sessionId, token: body.token };
  });
}

/** Every stored turn of the session, following nextCursor page by page. */
export async function listTurns(http: string, session: CreatedSession, signal?: AbortSignal): Promise<StoredTurnView[]> {
  const turns: StoredTurnView[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page += 1) {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const url = `${http}/v1/sessions/${encodeURIComponent(session.sessionId)}/turns?limit=${pageLimit}${query}`;
    const body = await withTimeout(signal, async (cut) => {
      const response = await fetch(url, { headers: { authorization: `Bearer ${session.token}` }, signal: cut });
      if (response.status !== 200) throw await failure(response, 'GET /v1/sessions/{id}/turns');
      return (await response.json()) as { turns?: StoredTurnView[]; nextCursor?: string | null };
    });
    turns.push(...(body.turns ?? []));
    cursor = body.nextCursor ?? null;
    if (cursor === null) return turns;
  }
  throw new Error(`the history of ${session.sessionId} did not end within ${maxPages} pages`);
}
