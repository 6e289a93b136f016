import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Random } from '../stack/random.js';
import { type ChatClient, connectChat, createSession, type DoneFrame } from '../test/chat-client.js';

/** One message as the client saw it. Epoch times come from Date.now(), the clock the emulator stamps its records with. */
export interface MessageResult {
  /** performance.now() when the open model scheduled the message, when this process got to it, and when it went out (NaN if it never did). */
  dueAt: number;
  dispatchedAt: number;
  sentAt: number;
  /** No session was free, so the message waited for a new one to be created and connected. */
  waitedForSession: boolean;
  sentEpochMs: number;
  firstChunkEpochMs: number | null;
  /** Send -> first non-empty chunk. */
  ttftMs: number | null;
  usage: DoneFrame['usage'] | null;
  error: string | null;
}

export interface LoadPoolOptions {
  baseUrl: string;
  wsUrl: string;
  random: Random;
  /** Mean pause between a done and the session's next message (exponential). */
  thinkMs: number;
  /**
   * A session is closed and replaced after this many messages (past the context window's length its later turns are
   * summarised); those prepare() opens, after a random 1 to this many, so they do not all reach the same turn together.
   */
  turnsPerSession: number;
  turnTimeoutMs: number;
}

export interface PhaseOptions {
  label: string;
  rate: number;
  durationMs: number;
  signal: AbortSignal;
  progress(line: string): void;
}

export interface LoadPool {
  /** Opens sessions until `count` are live, so a phase starts without waiting for connects. */
  prepare(count: number, signal: AbortSignal): Promise<void>;
  /** Sends rate × duration messages on an even schedule, whatever the answers do, then waits for the last answers. */
  runPhase(options: PhaseOptions): Promise<MessageResult[]>;
  close(): Promise<void>;
}

interface ChatSession { client: ChatClient; sent: number; availableAt: number; retireAfter: number }

const progressEveryMs = 2_000;
const prepareConcurrency = 16;
const firstQuestions = [
  'おすすめの少年漫画を教えて', '泣ける恋愛漫画を探しています', '面白いミステリー漫画を紹介して',
  '初心者向けのスポーツ漫画を教えてください', '大人が楽しめる歴史漫画を3つおすすめして',
];
const lengthVariation = '先週から少しずつ読み始めたのですが、絵柄が好きな作品を中心に、できれば完結している長編か、'
  + 'アニメ化されたものを優先して、友人にも勧められるような作品を探しています。';
const followUps = ['2番目のやつについてもっと教えて', '1番目の作品の作者は？', 'その作品は何巻まで出ていますか', '3番目のやつは完結していますか'];

function pick<T>(items: readonly T[], random: Random): T {
  return items[Math.floor(random() * items.length)] as T;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('timeout')), ms); });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(sorted.length * 0.95) - 1)] ?? Number.NaN;
}

export function createLoadPool(options: LoadPoolOptions): LoadPool {
  const { random } = options;
  const idle: ChatSession[] = [];
  const live = new Set<ChatSession>();
  const opening = new Set<Promise<unknown>>();
  let closed = false;
  let messageSeq = 0;
  let customerSeq = 0;

  const open = async (retireAfter = options.turnsPerSession): Promise<ChatSession> => {
    customerSeq += 1;
    const { sessionId, token } = await createSession(options.baseUrl, `bench-customer-${customerSeq}`);
    const client = connectChat(options.wsUrl, sessionId, token);
    const session: ChatSession = { client, sent: 0, availableAt: 0, retireAfter };
    live.add(session);
    // A socket the service closed (drain, heartbeat) must not be handed a message: it would never answer.
    void client.closed.then(() => {
      live.delete(session);
      if (idle.includes(session)) idle.splice(idle.indexOf(session), 1);
    });
    await client.ready;
    if (closed) client.close();
    return session;
  };

  const tracked = <T>(work: Promise<T>): Promise<T> => {
    opening.add(work);
    void work.finally(() => opening.delete(work)).catch(() => undefined);
    return work;
  };

  const drop = (session: ChatSession) => {
    session.client.close();
    live.delete(session);
  };

  // A retired session is replaced in the background, so the next arrival does not wait for a connect.
  const replenish = () => {
    if (closed) return;
    void tracked(open()).then((session) => { if (!closed) idle.push(session); }, () => undefined);
  };

  const takeIdle = (): ChatSession | undefined => {
    const now = performance.now();
    const index = idle.findIndex((session) => session.availableAt <= now);
    return index === -1 ? undefined : idle.splice(index, 1)[0];
  };

  const textFor = (session: ChatSession): string => {
    messageSeq += 1;
    // A number of its own keeps each question out of the response cache, so every answer is a model call;
    // a tail of random length spreads the input token counts that pair messages with model calls.
    const tail = lengthVariation.slice(0, Math.floor(random() * (lengthVariation.length + 1)));
    return `${pick(session.sent === 0 ? firstQuestions : followUps, random)}。${tail}（問い合わせ ${messageSeq}）`;
  };

  const deliver = async (result: MessageResult): Promise<void> => {
    let session: ChatSession | undefined;
    try {
      session = takeIdle();
      if (!session) {
        result.waitedForSession = true;
        session = await tracked(open());
      }
      if (closed) throw new Error('stopped');
      const text = textFor(session);
      const messageId = `bench-${messageSeq}`;
      session.sent += 1;
      result.sentAt = performance.now();
      result.sentEpochMs = Date.now();
      const done = await withTimeout(session.client.turn(messageId, text, (chunk) => {
        if (chunk.length === 0 || result.ttftMs !== null) return;
        result.ttftMs = performance.now() - result.sentAt;
        result.firstChunkEpochMs = Date.now();
      }), options.turnTimeoutMs);
      result.usage = done.usage;
      if (session.sent >= session.retireAfter) {
        drop(session);
        replenish();
      } else {
        const think = Math.min(5 * options.thinkMs, -Math.log(1 - random()) * options.thinkMs);
        session.availableAt = performance.now() + think;
        idle.push(session);
      }
    } catch (error) {
      result.error = (error as Error).message;
      if (session) drop(session);
    }
  };

  return {
    async prepare(count, signal) {
      // Bounded: a service refusing new sessions leaves the phase to open them on demand (and count that).
      for (let batches = 0; live.size < count && batches < count / prepareConcurrency + 2 && !signal.aborted && !closed; batches += 1) {
        // Sessions opened together would otherwise stay in step, every one at the same turn (and summarising
        // at once) for many lifetimes: the first of each batch retire early, so their successors are spread.
        const batch = Array.from({ length: Math.min(prepareConcurrency, count - live.size) },
          () => tracked(open(1 + Math.floor(random() * options.turnsPerSession))));
        for (const outcome of await Promise.allSettled(batch)) if (outcome.status === 'fulfilled' && !closed) idle.push(outcome.value);
      }
    },

    async runPhase({ label, rate, durationMs, signal, progress }) {
      const results: MessageResult[] = [];
      const inFlight = new Set<Promise<void>>();
      const total = Math.floor((rate * durationMs) / 1_000);
      const start = performance.now();
      let lastReport = start;
      let reportedUpTo = 0;
      const report = () => {
        const now = performance.now();
        const recent = results.slice(reportedUpTo).flatMap((result) => (result.ttftMs === null ? [] : [result.ttftMs]));
        reportedUpTo = results.length;
        lastReport = now;
        const errors = results.filter((result) => result.error !== null).length;
        progress(`[${label}] ${((now - start) / 1_000).toFixed(0).padStart(3)} s  sent ${results.length}/${total}`
          + `  in flight ${inFlight.size}  errors ${errors}  sessions ${live.size}  TTFT p95 (last ${progressEveryMs / 1_000} s) `
          + `${recent.length ? `${p95(recent).toFixed(0)} ms` : 'n/a'}`);
      };
      for (let index = 0; index < total && !signal.aborted;) {
        const dueNow = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1_000) + 1);
        for (; index < dueNow; index += 1) {
          const result: MessageResult = {
            dueAt: start + (index * 1_000) / rate, dispatchedAt: performance.now(), sentAt: Number.NaN, waitedForSession: false, sentEpochMs: 0,
            firstChunkEpochMs: null, ttftMs: null, usage: null, error: null,
          };
          results.push(result);
          const work = deliver(result).finally(() => inFlight.delete(work));
          inFlight.add(work);
        }
        if (performance.now() - lastReport >= progressEveryMs) report();
        await sleep(Math.max(1, start + (index * 1_000) / rate - performance.now()));
      }
      while (inFlight.size > 0) {
        await Promise.race([Promise.allSettled([...inFlight]), sleep(progressEveryMs)]);
        if (inFlight.size > 0) report();
      }
      report();
      return results;
    },

    async close() {
      closed = true;
      for (const session of [...live]) drop(session);
      idle.length = 0;
      await Promise.allSettled([...opening]);
    },
  };
}
