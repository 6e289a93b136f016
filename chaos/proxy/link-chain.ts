import type { ChunkSink, ToxicStage } from './toxic.js';

/** Past this many bytes held inside a link's stages, the link stops reading its source. */
export const maxHeldBytes = 1024 * 1024;

/** The socket a link reads from, as far as flow control goes. */
export interface LinkSource {
  pause(): void;
  resume(): void;
}

/** The socket a link writes to: `write` returns false while its buffer is full. */
export interface LinkOutlet {
  write(chunk: Buffer): boolean;
  end(): void;
}

/**
 * A `next` that can be re-pointed. Every stage writes to its own relay, never to the stage
 * after it, so inserting or removing a stage mid-stream only changes one relay's target and
 * chunks keep their order.
 */
class Relay implements ChunkSink {
  target: ChunkSink;

  constructor(target: ChunkSink) {
    this.target = target;
  }

  write(chunk: Buffer): void {
    this.target.write(chunk);
  }

  end(): void {
    this.target.end();
  }
}

interface ChainEntry<K> {
  key: K;
  stage: ToxicStage;
  next: Relay;
}

/**
 * One direction of one connection: source → stages (in the order their toxics were added) →
 * outlet. It counts the bytes its stages hold and pauses the source above `maxHeld` or while
 * the outlet is full, so no toxic needs flow control of its own and memory stays bounded.
 */
export class LinkChain<K> {
  private readonly entries: ChainEntry<K>[] = [];
  private readonly head: Relay;
  private readonly outlet: ChunkSink;
  private bytesIn = 0;
  private bytesOut = 0;
  private bytesDropped = 0;
  private outletFull = false;
  private sourcePaused = false;

  constructor(
    private readonly source: LinkSource,
    outlet: LinkOutlet,
    private readonly maxHeld = maxHeldBytes,
  ) {
    this.outlet = {
      write: (chunk) => {
        this.bytesOut += chunk.length;
        if (!outlet.write(chunk)) this.outletFull = true;
        this.regulate();
      },
      end: () => outlet.end(),
    };
    this.head = new Relay(this.outlet);
  }

  write(chunk: Buffer): void {
    this.bytesIn += chunk.length;
    this.head.write(chunk);
    this.regulate();
  }

  end(): void {
    this.head.end();
  }

  /** A stage let go of bytes without passing them on. */
  dropped(bytes: number): void {
    this.bytesDropped += bytes;
    this.regulate();
  }

  /** The outlet emptied its buffer ('drain'). */
  drained(): void {
    this.outletFull = false;
    this.regulate();
  }

  heldBytes(): number {
    return this.bytesIn - this.bytesOut - this.bytesDropped;
  }

  isSourcePaused(): boolean {
    return this.sourcePaused;
  }

  size(): number {
    return this.entries.length;
  }

  has(key: K): boolean {
    return this.entries.some((entry) => entry.key === key);
  }

  keys(): K[] {
    return this.entries.map((entry) => entry.key);
  }

  /** Puts a stage at `index` (0 = first after the source); `build` gets the stage's `next`. */
  insert(key: K, index: number, build: (next: ChunkSink) => ToxicStage): void {
    const at = Math.max(0, Math.min(index, this.entries.length));
    const before = at === 0 ? this.head : (this.entries[at - 1] as ChainEntry<K>).next;
    const next = new Relay(at === this.entries.length ? this.outlet : (this.entries[at] as ChainEntry<K>).stage);
    const stage = build(next);
    before.target = stage;
    this.entries.splice(at, 0, { key, stage, next });
  }

  /** The stage hands on what it holds first, then its predecessor writes straight past it. */
  remove(key: K): void {
    const at = this.entries.findIndex((entry) => entry.key === key);
    if (at < 0) return;
    const entry = this.entries[at] as ChainEntry<K>;
    entry.stage.remove();
    const before = at === 0 ? this.head : (this.entries[at - 1] as ChainEntry<K>).next;
    before.target = entry.next.target;
    this.entries.splice(at, 1);
    this.regulate();
  }

  updated(key: K): void {
    this.entries.find((entry) => entry.key === key)?.stage.updated?.();
  }

  /** The connection is gone: every stage lets go of its timers. */
  destroy(): void {
    for (const entry of this.entries.splice(0)) entry.stage.destroy();
  }

  private regulate(): void {
    const shouldPause = this.outletFull || this.heldBytes() > this.maxHeld;
    if (shouldPause === this.sourcePaused) return;
    this.sourcePaused = shouldPause;
    if (shouldPause) this.source.pause();
    else this.source.resume();
  }
}
