import { performance } from 'node:perf_hooks';
import type { Exchange } from './dual-protocol.js';

export interface TextTimeline {
  /** performance.now() when the request arrived; every time below counts from here. */
  origin: number;
  ttftMs: number;
  tokenIntervalMs: number;
  /** One token each; an empty piece takes its time slot but sends nothing. */
  pieces: readonly string[];
  /** Once, before the text chunk numbered afterChunks (0-based): ms of silence, every later token as much later. */
  pause?: { afterChunks: number; ms: number };
}

export type StreamOutcome = 'ok' | 'mid_stream_error' | 'client_closed' | 'shutdown';

export interface StreamResult {
  outcome: StreamOutcome;
  /** Tokens sent (all of them unless the stream was cut). */
  outputTokens: number;
  /** Arrival -> first text handed to the socket. */
  ttftMs: number | null;
  durationMs: number;
}

export interface StreamFrames {
  delta(text: string): Buffer;
  /** The frames after the last token, given what was actually sent. */
  closing(sent: { outputTokens: number; ttftMs: number; durationMs: number }): Buffer[];
  /** Replaces the text chunk numbered afterChunks (0-based) and ends the stream. */
  midStreamError?: { afterChunks: number; frame: Buffer };
}

/** Tokens that fall due within one tick go out as one chunk: thousands of streams stay cheap. */
export const defaultTickMs = 20;

// Timers may fire up to a millisecond before their time by performance.now().
const earlyFireSlackMs = 1;

/**
 * Writes a model's text over time, one timer per stream at a time: the first text at the
 * planned TTFT, later tokens at the planned rate. A slow reader pauses the schedule (the
 * tokens it missed go out together once it drains), and a reader that leaves stops it.
 */
export class TimedTextStream {
  private next = 0;
  private chunks = 0;
  private firstTextAt: number | null = null;
  private pausedMs = 0;
  private paused = false;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;

  constructor(
    private readonly exchange: Exchange,
    private readonly timeline: TextTimeline,
    private readonly frames: StreamFrames,
    private readonly onFinish: (result: StreamResult) => void,
    /** Asked before each wait, so the tick can follow the load. */
    private readonly tickMs: () => number = () => defaultTickMs,
  ) {}

  start(): void {
    this.exchange.onAbort(() => this.finish('client_closed'));
    this.scheduleAt(this.dueAt(0));
  }

  /** Ends the stream now with `frame` (an exception frame), e.g. when the emulator shuts down. */
  stop(frame: Buffer): void {
    if (this.finished) return;
    this.exchange.end(frame);
    this.finish('shutdown');
  }

  private dueAt(index: number): number {
    return this.timeline.ttftMs + index * this.timeline.tokenIntervalMs + this.pausedMs;
  }

  private elapsed(): number {
    return performance.now() - this.timeline.origin;
  }

  private scheduleAt(atMs: number): void {
    this.timer = setTimeout(this.tick, Math.max(0, atMs - this.elapsed()));
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    if (this.finished || this.exchange.ended) return;
    const { pieces } = this.timeline;
    const now = this.elapsed();
    const firstDue = this.next;
    let text = '';
    while (this.next < pieces.length && this.dueAt(this.next) <= now + earlyFireSlackMs) {
      text += pieces[this.next];
      this.next += 1;
    }
    let writable = true;
    if (text.length > 0) {
      const pause = this.timeline.pause;
      if (pause && !this.paused && this.chunks >= pause.afterChunks) {
        this.paused = true;
        this.pausedMs = pause.ms;
        this.next = firstDue;
        this.scheduleAt(this.dueAt(this.next));
        return;
      }
      const failure = this.frames.midStreamError;
      if (failure && this.chunks >= failure.afterChunks) {
        this.next = firstDue;
        this.exchange.end(failure.frame);
        this.finish('mid_stream_error');
        return;
      }
      writable = this.exchange.write(this.frames.delta(text));
      this.chunks += 1;
      this.firstTextAt ??= this.elapsed();
    }
    if (this.next >= pieces.length) {
      this.close();
      return;
    }
    if (!writable) {
      this.exchange.onDrain(this.tick);
      return;
    }
    this.scheduleAt(text.length > 0 ? Math.max(this.dueAt(this.next), now + this.tickMs()) : this.dueAt(this.next));
  };

  private close(): void {
    const durationMs = this.elapsed();
    const frames = this.frames.closing({ outputTokens: this.next, ttftMs: this.firstTextAt ?? durationMs, durationMs });
    const last = frames.pop();
    for (const frame of frames) this.exchange.write(frame);
    this.exchange.end(last);
    this.finish('ok');
  }

  private finish(outcome: StreamOutcome): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    this.onFinish({ outcome, outputTokens: this.next, ttftMs: this.firstTextAt, durationMs: this.elapsed() });
  }
}
