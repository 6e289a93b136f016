import { seededRandom } from '../../../stack/random.js';
import type {
  ChunkSink,
  ConnectionControl,
  Stream,
  ToxicAttributes,
  ToxicKind,
  ToxicLinkContext,
  ToxicStage,
} from '../toxic.js';

/** What a stage did, in the order it did it, for stage-level tests (no sockets). */
export type StageEvent =
  | { kind: 'write'; text: string; at: number }
  | { kind: 'end'; at: number }
  | { kind: 'close' | 'reset' | 'blackhole'; at: number };

/** A stand-in for the proxy around one stage: records what reaches `next` and the connection. */
export interface StageUnderTest<A extends ToxicAttributes> {
  stage: ToxicStage;
  events: StageEvent[];
  /** Text that reached `next`, joined. */
  output(): string;
  /** Bytes the stage reported as dropped. */
  droppedBytes(): number;
  /** Sets the toxic's current attributes, as an API update does, and tells the stage. */
  update(changes: Partial<A>): void;
  /** Moves the connection's last activity to now and tells the listeners. */
  activity(): void;
  write(text: string): void;
}

export interface StageOptions {
  stream?: Stream;
  seed?: number;
  addedToLiveConnection?: boolean;
}

export function buildStage<A extends ToxicAttributes>(
  kind: ToxicKind<A>,
  attributes: Partial<A> = {},
  options: StageOptions = {},
): StageUnderTest<A> {
  const events: StageEvent[] = [];
  const now = (): number => performance.now();
  let current: A = { ...kind.defaults, ...attributes };
  kind.validate(current);
  let lastActivityAt = now();
  const activityListeners = new Set<(at: number) => void>();
  let dropped = 0;

  const connection: ConnectionControl = {
    close: () => events.push({ kind: 'close', at: now() }),
    reset: () => events.push({ kind: 'reset', at: now() }),
    blackhole: () => events.push({ kind: 'blackhole', at: now() }),
    lastActivityAt: () => lastActivityAt,
    onActivity(listener) {
      activityListeners.add(listener);
      return () => activityListeners.delete(listener);
    },
  };
  const next: ChunkSink = {
    write: (chunk) => events.push({ kind: 'write', text: chunk.toString('latin1'), at: now() }),
    end: () => events.push({ kind: 'end', at: now() }),
  };
  const context: ToxicLinkContext = {
    stream: options.stream ?? 'downstream',
    random: seededRandom(options.seed ?? 1),
    connection,
    dropped: (bytes) => {
      dropped += bytes;
    },
    ...(options.addedToLiveConnection === undefined ? {} : { addedToLiveConnection: options.addedToLiveConnection }),
  };
  const stage = kind.createStage(context, () => current, next);

  const activity = (): void => {
    lastActivityAt = now();
    for (const listener of activityListeners) listener(lastActivityAt);
  };
  return {
    stage,
    events,
    output: () => events.map((event) => (event.kind === 'write' ? event.text : '')).join(''),
    droppedBytes: () => dropped,
    update(changes) {
      current = { ...current, ...changes };
      kind.validate(current);
      stage.updated?.();
    },
    activity,
    write(text) {
      activity();
      stage.write(Buffer.from(text, 'latin1'));
    },
  };
}

/** The kinds of event in order, e.g. ['write', 'write', 'end']. */
export function eventKinds(events: readonly StageEvent[]): string[] {
  return events.map((event) => event.kind);
}

/** Validates attributes as a request could send them, wrong types included. */
export function validateAsSent<A extends ToxicAttributes>(kind: ToxicKind<A>, attributes: Record<string, unknown>): void {
  kind.validate(attributes as A);
}
