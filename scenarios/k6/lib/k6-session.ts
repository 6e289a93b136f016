/**
 * One session of a plan in one k6 iteration (a WebSocket cannot span iterations, xk6-websockets
 * #61): create it over REST, connect, play the turns in a closed loop, record every metric as the
 * built-in engine does (engine/session-runner.ts, engine/turn-metrics.ts), then read the history
 * back through the API: the payload round trip, and every acknowledged turn stored exactly once.
 */
import http from 'k6/http';
import type { MetricSink } from '../../../engine/metrics/run-metrics.ts';
import type { SessionPlan } from '../../../engine/session-plan.ts';
import { recordAnswer, recordForfeited, recordRefusal, sessionNotFound } from '../../../engine/turn-metrics.ts';
import { K6ChatClient, pause } from './k6-chat-client.ts';

export interface K6Target {
  baseUrl: string;
  wsUrl: string;
  carrierWsUrl: string | null;
}

interface Created { sessionId: string; token: string }
interface StoredTurn { role: string; content: string; messageId: string }

const maxHistoryPages = 50;

export function messageIdFor(turnIndex: number): string {
  return `turn-${turnIndex + 1}`;
}

function createSession(target: K6Target, customerId: string): Created | string {
  const response = http.post(`${target.baseUrl}/v1/sessions`, JSON.stringify({ customerId }), {
    headers: { 'content-type': 'application/json' }, tags: { name: 'POST /v1/sessions' }, timeout: '10s',
  });
  if (response.status !== 201) return `create session answered ${response.status} ${response.error}`;
  const body = response.json() as Partial<Created>;
  return typeof body.sessionId === 'string' && typeof body.token === 'string'
    ? { sessionId: body.sessionId, token: body.token }
    : 'create session answered without sessionId and token';
}

/** Every stored turn, oldest first; null when the history cannot be read. */
function readHistory(target: K6Target, session: Created): StoredTurn[] | null {
  const turns: StoredTurn[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxHistoryPages; page += 1) {
    const query = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const response = http.get(`${target.baseUrl}/v1/sessions/${session.sessionId}/turns?limit=100${query}`, {
      headers: { authorization: `Bearer ${session.token}` }, tags: { name: 'GET /v1/sessions/{id}/turns' }, timeout: '10s',
    });
    if (response.status !== 200) return null;
    const body = response.json() as { turns?: StoredTurn[]; nextCursor?: string | null };
    turns.push(...(body.turns ?? []));
    cursor = body.nextCursor ?? null;
    if (cursor === null) return turns;
  }
  return null;
}

function socketBase(target: K6Target, plan: SessionPlan): string {
  if (plan.client.via === 'direct') return target.wsUrl;
  if (!target.carrierWsUrl) throw new Error('this incident\'s sessions come through the carrier proxy: set CARRIER_WS_URL');
  return target.carrierWsUrl;
}

export async function runK6Session(target: K6Target, plan: SessionPlan, metrics: MetricSink, random: () => number): Promise<void> {
  const wsBase = socketBase(target, plan);
  const created = createSession(target, plan.customerId);
  if (typeof created === 'string') {
    metrics.rate('chat_errors', true);
    recordForfeited(metrics, plan.turns.length);
    return;
  }
  // The turn count the client expects the server to hold; re-synced after a loss so each loss counts once.
  const held = { answers: 0 };
  const url = `${wsBase}?sessionId=${encodeURIComponent(created.sessionId)}&token=${encodeURIComponent(created.token)}`;
  const client = new K6ChatClient(url, plan.client, random, {
    connectAttempt: (ok) => metrics.rate('ws_connect_failures', !ok),
    resumed: (turnCount) => {
      metrics.add('ws_reconnects', 1);
      if (turnCount < held.answers) {
        metrics.add('session_context_lost', 1);
        held.answers = turnCount;
      }
    },
    restarted: () => metrics.add('chat_restarts', 1),
  });
  const acknowledged: Array<{ messageId: string; index: number }> = [];
  try {
    await playTurns(plan, client, metrics, held, acknowledged);
  } finally {
    client.close();
  }
  checkHistory(target, plan, created, acknowledged, metrics);
}

async function playTurns(plan: SessionPlan, client: K6ChatClient, metrics: MetricSink, held: { answers: number },
  acknowledged: Array<{ messageId: string; index: number }>): Promise<void> {
  const connected = await client.connect();
  if (!connected.ok) {
    metrics.rate('chat_errors', true);
    recordForfeited(metrics, plan.turns.length);
    return;
  }
  const previousReplies: string[] = [];
  for (let index = 0; index < plan.turns.length; index += 1) {
    const turn = plan.turns[index];
    if (turn === undefined) break;
    await pause(turn.thinkBeforeMs);
    const messageId = messageIdFor(index);
    metrics.add('chat_messages', 1);
    const result = await client.turn(messageId, turn.text);
    if (result.kind === 'failed') {
      // Resuming found no session at all although it had answered: its context is gone.
      if (result.code === sessionNotFound && held.answers > 0) metrics.add('session_context_lost', 1);
      metrics.rate('chat_errors', true);
      recordForfeited(metrics, plan.turns.length - index - 1);
      return;
    }
    if (result.kind === 'refused') {
      recordRefusal(metrics, turn, result, held);
      continue;
    }
    recordAnswer(metrics, turn, result, held.answers + 1, previousReplies);
    held.answers = result.done.turnCount;
    if (result.reply !== null) previousReplies.push(result.reply);
    acknowledged.push({ messageId, index });
  }
}

/**
 * The history as the API reports it: each acknowledged turn's user text stored once (else lost
 * or duplicated), byte for byte where the plan asks (else a payload check failure). This is the
 * audit k6 can do against any deployment; the built-in engine audits DynamoDB itself.
 */
function checkHistory(target: K6Target, plan: SessionPlan, session: Created, acknowledged: Array<{ messageId: string; index: number }>,
  metrics: MetricSink): void {
  if (acknowledged.length === 0) return;
  const history = readHistory(target, session);
  const checked = acknowledged.filter(({ index }) => plan.turns[index]?.checkStored);
  if (history === null) {
    metrics.add('session_turns_lost', acknowledged.length);
    metrics.add('payload_check_failures', checked.length);
    return;
  }
  const userTurns = history.filter((turn) => turn.role === 'user');
  for (const { messageId, index } of acknowledged) {
    const stored = userTurns.filter((turn) => turn.messageId === messageId);
    if (stored.length === 0) metrics.add('session_turns_lost', 1);
    if (stored.length > 1) metrics.add('session_turns_duplicated', stored.length - 1);
    if (plan.turns[index]?.checkStored && stored[0]?.content !== plan.turns[index]?.text) metrics.add('payload_check_failures', 1);
  }
}
