import type { Stream, ToxicAttributes, ToxicKind } from './toxic.js';

/** One toxic as the API knows it. Connections read `attributes` and `toxicity` live. */
export interface ToxicRecord {
  readonly name: string;
  readonly type: string;
  /** As sent: `UpStream` stays `UpStream` in the API even though it means upstream. */
  readonly stream: string;
  readonly direction: Stream;
  /** Held as Go's float32, compared against a uniform draw per connection and direction. */
  toxicity: number;
  attributes: ToxicAttributes;
  readonly kind: ToxicKind;
}

/** Toxiproxy matches the stream name ignoring case. */
export function parseStream(text: string): Stream | undefined {
  const lower = text.toLowerCase();
  return lower === 'upstream' || lower === 'downstream' ? lower : undefined;
}

/**
 * A proxy's toxics, one list per direction in the order they were added: that order is each
 * link's chain order, and the API lists upstream toxics before downstream ones.
 */
export class ToxicList {
  private readonly lists: Record<Stream, ToxicRecord[]> = { upstream: [], downstream: [] };

  all(): ToxicRecord[] {
    return [...this.lists.upstream, ...this.lists.downstream];
  }

  inDirection(direction: Stream): readonly ToxicRecord[] {
    return this.lists[direction];
  }

  find(name: string): ToxicRecord | undefined {
    return this.all().find((record) => record.name === name);
  }

  add(record: ToxicRecord): void {
    this.lists[record.direction].push(record);
  }

  remove(record: ToxicRecord): void {
    const list = this.lists[record.direction];
    const at = list.indexOf(record);
    if (at >= 0) list.splice(at, 1);
  }

  /** Where a stage for `record` belongs among the stages a link has: after its elders. */
  positionAmong(record: ToxicRecord, present: readonly ToxicRecord[]): number {
    const order = this.lists[record.direction];
    const rank = order.indexOf(record);
    return present.filter((other) => order.indexOf(other) < rank).length;
  }
}
