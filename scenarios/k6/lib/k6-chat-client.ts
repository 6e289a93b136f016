/**
 * The protocol-v1 chat client in k6 terms, as the built-in engine's (engine/chat-client.ts) plays
 * it: one socket per session, one turn at a time; with a reconnect profile (seed 001's app) a
 * dropped socket or a silent turn is answered by reconnecting with backoff, resuming the session
 * and resending the SAME messageId. WebSockets: k6/experimental/websockets (k6 v0.43 and later,
 * so v0.49); timers: k6/timers (k6 v0.50+), which the bundle swaps for k6/experimental/timers on
 * older k6.
 */
import { WebSocket } from 'k6/experimental/websockets';
import { clearTimeout, setTimeout } from 'k6/timers';
import { backoffDelay } from '../../../engine/backoff.ts';
import type { DoneFrame, TurnResult } from '../../../engine/chat-client.ts';
import type { ClientProfile } from '../../../engine/session-plan.ts';
import { heardChunk, heardRestart, ttftOf } from '../../../engine/turn-answer.ts';

export type ConnectResult = { ok: true; turnCount: number } | { ok: false; reason: string; code: string | null };

interface Frame {
  type?: string;
  messageId?: string;
  text?: string;
  turnCount?: number;
  code?: string;
  message?: string;
  ts?: number;
  usage?: { inputTokens?: number; outputTokens?: number };
  model?: string;
  summarised?: boolean;
}

type ConnectOutcome = { ok: true; socket: WebSocket; turnCount: number } | { ok: false; retryable: boolean; reason: string; code: string | null };

// Refused at the door (bad id, no token, no such session or not the owner's): trying again cannot help.
const permanentRefusals = new Set(['ORCH_ERR_INVALID_SESSION_ID', 'ORCH_ERR_UNAUTHENTICATED', 'ORCH_ERR_SESSION_NOT_FOUND']);
const draining = 'ORCH_ERR_DRAINING';
const now = () => Date.now();

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => { setTimeout(resolve, Math.max(0, ms)); });
}

function parseFrame(data: unknown): Frame {
  if (typeof data !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(data);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Frame) : {};
  } catch {
    return {};
  }
}

function connectOnce(url: string, timeoutMs: number): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let refusal: { code: string; message: string } | null = null;
    const socket = new WebSocket(url);
    const finish = (outcome: ConnectOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const failed = (why: string) => finish({
      ok: false, retryable: !(refusal && permanentRefusals.has(refusal.code)),
      reason: refusal ? `${refusal.code}: ${refusal.message}` : why, code: refusal?.code ?? null,
    });
    const timer = setTimeout(() => {
      finish({ ok: false, retryable: true, reason: `no ready frame within ${timeoutMs} ms`, code: null });
      socket.close();
    }, timeoutMs);
    socket.onmessage = (event) => {
      const frame = parseFrame(event.data);
      if (frame.type === 'ready' && typeof frame.turnCount === 'number') finish({ ok: true, socket, turnCount: frame.turnCount });
      else if (frame.type === 'error') refusal = { code: String(frame.code), message: String(frame.message ?? '') };
    };
    socket.onclose = () => failed('closed before ready');
    socket.onerror = (event) => failed(event.error || 'socket error');
  });
}

interface PendingTurn {
  messageId: string;
  frame: string;
  sentAt: number;
  firstChunkAt: number;
  parts: string[];
  resends: number;
  timer: number | null;
  resolve(result: TurnResult): void;
}

export interface K6ChatEvents {
  /** One call per connection attempt, initial or reconnect (ws_connect_failures). */
  connectAttempt(ok: boolean): void;
  /** A reconnect reached `ready`: the turn count the server has for the session. */
  resumed(turnCount: number): void;
  /** The service restarted the turn's answer on another model (chat_restarts). */
  restarted(): void;
}

export class K6ChatClient {
  private socket: WebSocket | null = null;
  private pending: PendingTurn | null = null;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly profile: ClientProfile,
    private readonly random: () => number,
    private readonly events: K6ChatEvents,
  ) {}

  async connect(): Promise<ConnectResult> {
    const outcome = await this.connectWithRetries(false);
    return outcome.ok ? { ok: true, turnCount: outcome.turnCount } : { ok: false, reason: outcome.reason, code: outcome.code };
  }

  async turn(messageId: string, text: string): Promise<TurnResult> {
    if (this.socket === null) {
      // Closed while idle (the server, a NAT, a kill): the mobile app finds out when it next sends.
      if (this.profile.reconnect === null) return { kind: 'failed', reason: 'the socket closed between turns', code: null };
      const outcome = await this.connectWithRetries(true);
      if (!outcome.ok) return { kind: 'failed', reason: outcome.reason, code: outcome.code };
    }
    return new Promise((resolve) => {
      this.pending = {
        messageId, frame: JSON.stringify({ type: 'message', messageId, text }),
        sentAt: Date.now(), firstChunkAt: -1, parts: [], resends: 0, timer: null, resolve,
      };
      this.sendPending(this.pending);
    });
  }

  close(): void {
    this.closed = true;
    this.dropSocket();
    this.finish({ kind: 'failed', reason: 'the client was closed', code: null });
  }

  private sendPending(pending: PendingTurn): void {
    this.socket?.send(pending.frame);
    pending.timer = setTimeout(() => {
      pending.timer = null;
      this.lost(`no done or error within ${this.profile.turnTimeoutMs} ms`);
    }, this.profile.turnTimeoutMs);
  }

  private finish(result: TurnResult): void {
    const pending = this.pending;
    if (pending === null) return;
    if (pending.timer !== null) clearTimeout(pending.timer);
    this.pending = null;
    pending.resolve(result);
  }

  private lost(reason: string): void {
    const pending = this.pending;
    if (pending === null) return;
    if (pending.timer !== null) clearTimeout(pending.timer);
    pending.timer = null;
    this.dropSocket();
    const policy = this.profile.reconnect;
    if (policy === null) {
      this.finish({ kind: 'failed', reason, code: null });
      return;
    }
    pending.resends += 1;
    if (pending.resends > policy.maxAttempts) {
      this.finish({ kind: 'failed', reason: `gave up after ${policy.maxAttempts} resends: ${reason}`, code: null });
      return;
    }
    void this.connectWithRetries(true).then((outcome) => {
      if (this.pending !== pending) return;
      if (!outcome.ok) {
        this.finish({ kind: 'failed', reason: outcome.reason, code: outcome.code });
        return;
      }
      // A replay streams the whole answer again.
      pending.parts = [];
      this.sendPending(pending);
    });
  }

  private async connectWithRetries(reconnecting: boolean): Promise<ConnectOutcome> {
    const policy = this.profile.reconnect;
    const attempts = policy === null ? 1 : policy.maxAttempts;
    let last: ConnectOutcome = { ok: false, retryable: false, reason: 'no connection attempt', code: null };
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      if (policy !== null && (reconnecting || attempt > 1)) await pause(backoffDelay(attempt, policy, this.random));
      if (this.closed) return { ok: false, retryable: false, reason: 'the client was closed', code: null };
      last = await connectOnce(this.url, this.profile.turnTimeoutMs);
      this.events.connectAttempt(last.ok);
      if (last.ok) {
        if (this.closed) {
          last.socket.close();
          return { ok: false, retryable: false, reason: 'the client was closed', code: null };
        }
        this.adopt(last.socket);
        if (reconnecting) this.events.resumed(last.turnCount);
        return last;
      }
      if (!last.retryable) return last;
    }
    return last.ok ? last : { ...last, reason: `no ready after ${attempts} attempt(s): ${last.reason}` };
  }

  private adopt(socket: WebSocket): void {
    this.socket = socket;
    socket.onmessage = (event) => this.onFrame(parseFrame(event.data));
    const gone = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.lost('the socket closed');
    };
    socket.onclose = gone;
    socket.onerror = gone;
  }

  private dropSocket(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.close();
  }

  private onFrame(frame: Frame): void {
    if (frame.type === 'ping') {
      if (this.profile.answersServerPings) this.socket?.send(JSON.stringify({ type: 'pong', ts: frame.ts }));
      return;
    }
    const pending = this.pending;
    if (pending === null || frame.messageId !== pending.messageId) return;
    // Frame types this client does not know fall through: protocol v1 only ever adds.
    if (frame.type === 'chunk' && typeof frame.text === 'string' && frame.text.length > 0) {
      heardChunk(pending, frame.text, now);
    } else if (frame.type === 'restart') {
      heardRestart(pending);
      this.events.restarted();
    } else if (frame.type === 'done') {
      const at = Date.now();
      this.finish({
        kind: 'done', done: doneFrom(frame, pending.messageId), durationMs: at - pending.sentAt,
        ttftMs: ttftOf(pending, pending.sentAt), reply: pending.parts.join(''),
      });
    } else if (frame.type === 'error') {
      // A draining worker refuses and then closes with 1012: the app resends elsewhere.
      if (frame.code === draining && this.profile.reconnect !== null) return;
      this.finish({ kind: 'refused', code: String(frame.code), message: String(frame.message ?? ''), durationMs: Date.now() - pending.sentAt });
    }
  }
}

function doneFrom(frame: Frame, messageId: string): DoneFrame {
  return {
    messageId,
    turnCount: Number(frame.turnCount),
    usage: { inputTokens: Number(frame.usage?.inputTokens ?? 0), outputTokens: Number(frame.usage?.outputTokens ?? 0) },
    model: String(frame.model ?? ''),
    summarised: frame.summarised === true,
  };
}
