import type { ChunkSink } from '../toxic.js';
import { Fifo } from './fifo.js';

/**
 * Node's timers run on a millisecond loop clock and may fire up to a millisecond before
 * performance.now() reaches the time asked for; releasing within that slack saves a second hop.
 */
export const TIMER_SLACK_MS = 1;

/** Node turns a longer delay into 1 ms (with a warning); a longer wait is taken in steps. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** setTimeout for any non-negative delay, unref'd: a held chunk must not keep a process alive. */
export function startTimer(delayMs: number, callback: () => void): NodeJS.Timeout {
  const timer = setTimeout(callback, Math.min(Math.max(delayMs, 0), LONGEST_TIMER_MS));
  timer.unref();
  return timer;
}

export interface HeldChunk {
  chunk: Buffer;
  /** performance.now() when the chunk reached the stage. */
  arrivedAt: number;
  dueAt: number;
}

/**
 * Chunks waiting for their release time. They leave in arrival order (a chunk due earlier
 * than the one before it waits for it), then the end of the stream once all are out.
 */
export class TimedRelease {
  private readonly held = new Fifo<HeldChunk>();
  private timer: NodeJS.Timeout | undefined;
  private endPending = false;
  private closed = false;
  private latestDueAt = -Infinity;

  constructor(private readonly next: ChunkSink) {}

  /** When the last chunk handed in is due (-Infinity before the first). */
  get lastDueAt(): number {
    return this.latestDueAt;
  }

  get heldCount(): number {
    return this.held.size;
  }

  hold(chunk: Buffer, dueAt: number, arrivedAt = performance.now()): void {
    if (this.closed) return;
    this.latestDueAt = Math.max(dueAt, this.latestDueAt);
    this.held.push({ chunk, arrivedAt, dueAt: this.latestDueAt });
    if (this.held.size === 1) this.releaseDue();
  }

  /** The source ended: end `next` as soon as everything held has left. */
  end(): void {
    if (this.closed) return;
    this.endPending = true;
    if (this.held.size === 0) this.finish();
  }

  /** New release times for what is held (after an attribute update), order kept. */
  retime(dueAt: (held: HeldChunk, previousDueAt: number | undefined) => number): void {
    if (this.closed || this.held.size === 0) return;
    let previous: number | undefined;
    for (const held of this.held) {
      held.dueAt = Math.max(dueAt(held, previous), previous ?? -Infinity);
      previous = held.dueAt;
    }
    this.latestDueAt = previous ?? this.latestDueAt;
    this.releaseDue();
  }

  /** Hands on everything held at once, and the end if it came (the toxic was removed). */
  flush(): void {
    for (const held of this.held) held.dueAt = -Infinity;
    this.releaseDue();
  }

  /** The connection is gone: forget what is held, release the timer. */
  cancel(): void {
    this.closed = true;
    this.clearTimer();
    this.held.clear();
  }

  private releaseDue(): void {
    this.clearTimer();
    const now = performance.now();
    for (let first = this.held.peek(); first !== undefined; first = this.held.peek()) {
      if (first.dueAt > now + TIMER_SLACK_MS) {
        this.timer = startTimer(first.dueAt - now, () => this.releaseDue());
        return;
      }
      this.held.take();
      this.next.write(first.chunk);
      // Writing on may end the connection synchronously, which cancels this stage.
      if (this.closed) return;
    }
    if (this.endPending) this.finish();
  }

  private finish(): void {
    this.endPending = false;
    this.closed = true;
    this.next.end();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
