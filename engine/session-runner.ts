import { setTimeout as sleep } from 'node:timers/promises';
import { ChatClient } from './chat-client.js';
import { sessionSocketUrl } from './chat-connect.js';
import type { MetricSink } from './metrics/run-metrics.js';
import { createSession, listTurns, type CreatedSession } from './session-api.js';
import type { LoadTarget, SessionPlan, SessionRecord } from './session-plan.js';
import { recordAnswer, recordForfeited, recordRefusal, sessionNotFound } from './turn-metrics.js';

export interface RunSessionOptions {
  target: LoadTarget;
  plan: SessionPlan;
  metrics: MetricSink;
  /** Seeded: reconnect jitter draws from it. */
  random: () => number;
  signal?: AbortSignal;
  /** Counts the sockets the run's clients hold open (sampled into ws_open_sockets). */
  sockets?: { open: number };
}

/** The session as the client saw it (null when it could not even be created), and why it ended early. */
export interface SessionOutcome {
  record: SessionRecord | null;
  error: string | null;
}


/** The WebSocket URL a profile connects to; a carrier client without a carrier path is a setup error. */
export function socketBaseFor(target: LoadTarget, plan: SessionPlan): string {
  if (plan.client.via === 'direct') return target.ws;
  if (!target.carrierWs) throw new Error('a session plan wants the carrier path, but the load target has no carrierWs');
  return target.carrierWs;
}

export function messageIdFor(turnIndex: number): string {
  return `turn-${turnIndex + 1}`;
}

/** false when the wait was cut short by the signal. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (ms <= 0) return !signal?.aborted;
  return sleep(ms, true, { signal }).catch(() => false);
}

/**
 * One session of a plan: create it over REST, connect, play the turns in a closed loop (think,
 * send, wait for done), and record every metric a client can see. Never rejects for what the
 * service does; only a plan the target cannot serve (socketBaseFor) throws.
 */
export async function runSession(options: RunSessionOptions): Promise<SessionOutcome> {
  const { target, plan, metrics, random, signal, sockets } = options;
  const wsBase = socketBaseFor(target, plan);
  let created: CreatedSession;
  try {
    created = await createSession(target.http, plan.customerId, signal);
  } catch (error) {
    if (signal?.aborted) return { record: null, error: null };
    metrics.rate('chat_errors', true);
    recordForfeited(metrics, plan.turns.length);
    return { record: null, error: `create session: ${(error as Error).message}` };
  }
  const record: SessionRecord = { sessionId: created.sessionId, token: created.token, acknowledged: [] };
  // The turn count the client expects the server to hold; re-synced after a loss so each loss counts once.
  const held = { answers: 0 };
  const client = new ChatClient(sessionSocketUrl(wsBase, created.sessionId, created.token), plan.client, random, {
    connectAttempt: (ok) => metrics.rate('ws_connect_failures', !ok),
    socketHeld: sockets ? (held) => { sockets.open += held ? 1 : -1; } : undefined,
    resumed: (turnCount) => {
      metrics.add('ws_reconnects', 1);
      if (turnCount < held.answers) {
        metrics.add('session_context_lost', 1);
        held.answers = turnCount;
      }
    },
    restarted: () => metrics.add('chat_restarts', 1),
  });
  // The session's own signal, aborted by the run's: its think-time sleeps listen here, so each
  // sleep does not add and remove a listener on the run-wide signal every open session shares.
  const session = new AbortController();
  const stop = () => {
    session.abort();
    client.close();
  };
  signal?.addEventListener('abort', stop, { once: true });
  if (signal?.aborted) stop();
  let error: string | null = null;
  try {
    error = await playTurns(plan, client, metrics, record, held, session.signal);
  } finally {
    signal?.removeEventListener('abort', stop);
    client.close();
  }
  if (!signal?.aborted) await checkStoredTexts(target, plan, created, record, metrics, signal);
  return { record, error };
}

async function playTurns(
  plan: SessionPlan, client: ChatClient, metrics: MetricSink, record: SessionRecord, held: { answers: number }, signal: AbortSignal | undefined,
): Promise<string | null> {
  const connected = await client.connect();
  if (!connected.ok) {
    if (signal?.aborted) return null;
    metrics.rate('chat_errors', true);
    recordForfeited(metrics, plan.turns.length);
    return `connect: ${connected.reason}`;
  }
  const keepReplies = plan.turns.some((turn) => turn.checkReply !== undefined);
  const previousReplies: string[] = [];
  for (const [index, turn] of plan.turns.entries()) {
    if (!(await pause(turn.thinkBeforeMs, signal))) return null;
    const messageId = messageIdFor(index);
    metrics.add('chat_messages', 1);
    const result = await client.turn(messageId, turn.text, keepReplies);
    if (result.kind === 'failed') {
      // The end of the run cut it: not the service's error.
      if (signal?.aborted) return null;
      // Resuming found no session at all although it had answered: its context is gone.
      if (result.code === sessionNotFound && held.answers > 0) metrics.add('session_context_lost', 1);
      metrics.rate('chat_errors', true);
      recordForfeited(metrics, plan.turns.length - index - 1);
      return `${messageId}: ${result.reason}`;
    }
    if (result.kind === 'refused') {
      recordRefusal(metrics, turn, result, held);
      continue;
    }
    recordAnswer(metrics, turn, result, held.answers + 1, previousReplies);
    held.answers = result.done.turnCount;
    if (result.reply !== null) previousReplies.push(result.reply);
    record.acknowledged.push({ messageId, turnCount: result.done.turnCount, text: turn.text });
  }
  return null;
}

/** Turns with checkStored: the stored user content must be byte-identical to what was sent. */
async function checkStoredTexts(
  target: LoadTarget, plan: SessionPlan, session: CreatedSession, record: SessionRecord, metrics: MetricSink, signal: AbortSignal | undefined,
): Promise<void> {
  const acknowledged = new Set(record.acknowledged.map((turn) => turn.messageId));
  const wanted = plan.turns.flatMap((turn, index) =>
    turn.checkStored && acknowledged.has(messageIdFor(index)) ? [{ messageId: messageIdFor(index), text: turn.text }] : []);
  if (wanted.length === 0) return;
  let stored: Map<string, string>;
  try {
    const turns = await listTurns(target.http, session, signal);
    stored = new Map(turns.filter((turn) => turn.role === 'user').map((turn) => [turn.messageId, turn.content]));
  } catch {
    // What cannot be read back cannot be shown to be exact.
    metrics.add('payload_check_failures', wanted.length);
    return;
  }
  for (const { messageId, text } of wanted) {
    if (stored.get(messageId) !== text) metrics.add('payload_check_failures', 1);
  }
}
