import { setTimeout as sleep } from 'node:timers/promises';
import type WebSocket from 'ws';
import { backoffDelay } from './backoff.js';
import { connectOnce, type ConnectOutcome } from './chat-connect.js';
import { chunkPrefix, chunkTextStart, decodeEscapedText, escapedText, parseFrame, pongFor, type ParsedFrame } from './chat-frames.js';
import type { ClientProfile } from './session-plan.js';
import { heardChunk, heardRestart, ttftOf } from './turn-answer.js';

export interface DoneFrame {
  messageId: string;
  turnCount: number;
  usage: { inputTokens: number; outputTokens: number };
  model: string;
  summarised: boolean;
}

export type TurnResult =
  | { kind: 'done'; done: DoneFrame; ttftMs: number | null; durationMs: number; reply: string | null }
  | { kind: 'refused'; code: string; message: string; durationMs: number }
  | { kind: 'failed'; reason: string; code: string | null };

export type ConnectResult = { ok: true; turnCount: number } | { ok: false; reason: string; code: string | null };

export interface ChatClientEvents {
  /** One call per connection attempt, initial or reconnect (ws_connect_failures). */
  connectAttempt(ok: boolean): void;
  /** A reconnect reached `ready`: the turn count the server has for the session. */
  resumed(turnCount: number): void;
  /** The client now holds an open socket (true), or no longer does (false). */
  socketHeld?(held: boolean): void;
  /** The service restarted the turn's answer on another model (chat_restarts). */
  restarted(): void;
}

interface PendingTurn {
  messageId: string;
  frame: string;
  prefix: Buffer;
  sentAt: number;
  firstChunkAt: number;
  /** Escaped text spans, kept only when the caller wants the reply. */
  parts: Buffer[] | null;
  resends: number;
  timer: NodeJS.Timeout | null;
  resolve(result: TurnResult): void;
}

const now = () => performance.now();

// Refusals that say "not now" rather than "no": a client that reconnects also retries them.
const draining = 'ORCH_ERR_DRAINING';
const concurrentTurn = 'ORCH_ERR_CONCURRENT_TURN';

/**
 * A protocol-v1 chat client on one session: one turn at a time, send → chunks → done. With a
 * reconnect profile (seed 001's mobile app) a dropped socket or a silent turn is answered by
 * reconnecting with backoff, resuming the session, and resending the SAME messageId.
 */
export class ChatClient {
  private socket: WebSocket | null = null;
  private pending: PendingTurn | null = null;
  private readonly stopping = new AbortController();

  constructor(
    private readonly url: string,
    private readonly profile: ClientProfile,
    private readonly random: () => number,
    private readonly events: ChatClientEvents,
  ) {}

  /** The first connection; a reconnect profile retries it with backoff like any reconnect. */
  async connect(): Promise<ConnectResult> {
    const outcome = await this.connectWithRetries(false);
    return outcome.ok ? { ok: true, turnCount: outcome.turnCount } : outcome;
  }

  async turn(messageId: string, text: string, keepReply: boolean): Promise<TurnResult> {
    if (this.socket === null) {
      // Closed while idle (the server, a NAT, a kill): the mobile app finds out when it next sends.
      if (this.profile.reconnect === null) return { kind: 'failed', reason: 'the socket closed between turns', code: null };
      const outcome = await this.connectWithRetries(true);
      if (!outcome.ok) return { kind: 'failed', reason: outcome.reason, code: outcome.code };
    }
    return new Promise((resolve) => {
      this.pending = {
        messageId, frame: JSON.stringify({ type: 'message', messageId, text }), prefix: chunkPrefix(messageId),
        sentAt: performance.now(), firstChunkAt: -1, parts: keepReply ? [] : null, resends: 0, timer: null, resolve,
      };
      this.sendPending(this.pending);
    });
  }

  close(): void {
    this.stopping.abort();
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
    if (pending.timer) clearTimeout(pending.timer);
    this.pending = null;
    pending.resolve(result);
  }

  /** The turn in flight lost its socket or its answer: reconnect and resend, or fail the turn. */
  private lost(reason: string): void {
    const pending = this.pending;
    if (pending === null) return;
    if (pending.timer) clearTimeout(pending.timer);
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
      if (pending.parts !== null) pending.parts = [];
      this.sendPending(pending);
    });
  }

  private resendLater(pending: PendingTurn, policy: NonNullable<ClientProfile['reconnect']>): void {
    if (pending.timer) clearTimeout(pending.timer);
    pending.resends += 1;
    if (pending.resends > policy.maxAttempts) {
      this.finish({ kind: 'failed', reason: `gave up after ${policy.maxAttempts} resends: the turn stayed in flight`, code: concurrentTurn });
      return;
    }
    // The same slot as the turn timeout: a socket lost meanwhile clears it and resends after reconnecting.
    pending.timer = setTimeout(() => {
      pending.timer = null;
      if (pending.parts !== null) pending.parts = [];
      this.sendPending(pending);
    }, backoffDelay(pending.resends, policy, this.random));
  }

  private async connectWithRetries(reconnecting: boolean): Promise<ConnectOutcome> {
    const policy = this.profile.reconnect;
    const attempts = policy === null ? 1 : policy.maxAttempts;
    let last: ConnectOutcome = { ok: false, retryable: false, reason: 'no connection attempt', code: null };
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      if (policy !== null && (reconnecting || attempt > 1)) {
        const waited = await sleep(backoffDelay(attempt, policy, this.random), true, { signal: this.stopping.signal }).catch(() => false);
        if (!waited) return { ok: false, retryable: false, reason: 'the client was closed', code: null };
      }
      last = await connectOnce(this.url, this.profile.turnTimeoutMs, this.adopt);
      // A run that ended meanwhile records nothing more for this session.
      if (this.stopping.signal.aborted) {
        this.dropSocket();
        return { ok: false, retryable: false, reason: 'the client was closed', code: null };
      }
      this.events.connectAttempt(last.ok);
      if (last.ok) {
        if (reconnecting) this.events.resumed(last.turnCount);
        return last;
      }
      if (!last.retryable) return last;
    }
    return last.ok ? last : { ...last, reason: `no ready after ${attempts} attempt(s): ${last.reason}` };
  }

  private readonly adopt = (socket: WebSocket): void => {
    this.socket = socket;
    this.events.socketHeld?.(true);
    socket.on('message', this.onMessage);
    socket.on('close', (code: number) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.events.socketHeld?.(false);
      this.lost(`the socket closed (${code})`);
    });
  };

  private dropSocket(): void {
    const socket = this.socket;
    if (socket === null) return;
    this.socket = null;
    this.events.socketHeld?.(false);
    socket.terminate();
  }

  // Per frame: a byte compare for this turn's chunks, a full parse only for the rest.
  private readonly onMessage = (data: WebSocket.RawData): void => {
    const buffer = data as Buffer;
    const pending = this.pending;
    if (pending !== null) {
      const start = chunkTextStart(buffer, pending.prefix);
      if (start >= 0) {
        const end = buffer.length - 2;
        if (end > start) heardChunk(pending, buffer.subarray(start, end), now);
        return;
      }
    }
    this.onParsedFrame(parseFrame(buffer), pending);
  };

  private onParsedFrame(frame: ParsedFrame, pending: PendingTurn | null): void {
    if (frame.type === 'ping') {
      if (this.profile.answersServerPings) this.socket?.send(pongFor(frame.ts));
      return;
    }
    if (pending === null || frame.messageId !== pending.messageId) return;
    // Frame types this client does not know fall through: protocol v1 only ever adds.
    if (frame.type === 'chunk' && typeof frame.text === 'string' && frame.text.length > 0) {
      heardChunk(pending, escapedText(frame.text), now);
    } else if (frame.type === 'restart') {
      heardRestart(pending);
      this.events.restarted();
    } else if (frame.type === 'done') {
      const at = performance.now();
      this.finish({
        kind: 'done', done: doneFrom(frame, pending.messageId), durationMs: at - pending.sentAt,
        ttftMs: ttftOf(pending, pending.sentAt),
        reply: pending.parts === null ? null : decodeEscapedText(pending.parts),
      });
    } else if (frame.type === 'error') {
      // A draining worker refuses and then closes with 1012: the mobile app resends elsewhere.
      if (frame.code === draining && this.profile.reconnect !== null) return;
      // A resend that arrives while the first send is still being answered: wait, then ask again.
      if (frame.code === concurrentTurn && this.profile.reconnect !== null) {
        this.resendLater(pending, this.profile.reconnect);
        return;
      }
      this.finish({ kind: 'refused', code: String(frame.code), message: String(frame.message ?? ''), durationMs: performance.now() - pending.sentAt });
    }
  }
}

function doneFrom(frame: ParsedFrame, messageId: string): DoneFrame {
  return {
    messageId,
    turnCount: Number(frame.turnCount),
    usage: { inputTokens: Number(frame.usage?.inputTokens ?? 0), outputTokens: Number(frame.usage?.outputTokens ?? 0) },
    model: String(frame.model ?? ''),
    summarised: frame.summarised === true,
  };
}
