import type { Random } from '../../stack/random.js';

/**
 * The seam between the proxy (connections, links, HTTP API) and the toxics (one file each in
 * toxics/). A link is one direction of one proxied connection; each toxic active on a link
 * gets its own stage in that link's chain, in the order the toxics were added.
 */

/** Toxiproxy's stream names: upstream is client → server, downstream server → client. */
export type Stream = 'upstream' | 'downstream';

/** Toxiproxy keeps attributes as integers; our nat_idle adds one string (`mode`). */
export type ToxicAttributes = Record<string, number | string>;

/** Thrown by `validate`; the API answers 400 with this message in Toxiproxy's error body. */
export class ToxicAttributeError extends Error {}

/** Where a stage sends what it lets through: the next stage, or the far socket at the end. */
export interface ChunkSink {
  write(chunk: Buffer): void;
  /** The source ended (FIN reached this point of the chain). */
  end(): void;
}

/** What a toxic may do to the whole connection (both directions), not only its own link. */
export interface ConnectionControl {
  /** Close both sockets with FIN. */
  close(): void;
  /** Close both sockets with RST (SO_LINGER 0). */
  reset(): void;
  /**
   * Forward nothing more in either direction and never close on our own (a NAT mapping that
   * vanished): packets sent by either side are dropped. The sockets are destroyed quietly only
   * when the toxic that did it is removed, the proxy is disabled or deleted, or on /reset.
   */
  blackhole(): void;
  /** Time (performance.now() ms) bytes last arrived from either side, before any toxic. */
  lastActivityAt(): number;
  /** Called with the time whenever bytes arrive from either side; returns an unsubscribe. */
  onActivity(listener: (at: number) => void): () => void;
}

export interface ToxicLinkContext {
  stream: Stream;
  /** Seeded per proxy, connection and direction, so a run can be repeated. */
  random: Random;
  connection: ConnectionControl;
  /**
   * True when the toxic was added to a connection already open. Toxiproxy sets SO_LINGER 0
   * only on connections that start with a reset_peer toxic, so one added later closes with
   * FIN, not RST. Absent means the stage was built as the connection started.
   */
  addedToLiveConnection?: boolean;
  /** The chain counts bytes held inside it for backpressure; a stage that drops bytes says so. */
  dropped(bytes: number): void;
}

/** One toxic on one link. Chunks must leave in the order they came, unless dropped. */
export interface ToxicStage {
  write(chunk: Buffer): void;
  /** The source ended; call `next.end()` when this stage is done with what it holds. */
  end(): void;
  /** The toxic's attributes changed on a live connection (the getter now returns the new ones). */
  updated?(): void;
  /**
   * The toxic was removed from a live link: hand on what is held (`next`), release timers,
   * and undo what the toxic did where Toxiproxy does (removing `timeout` closes the held
   * connection cleanly; a blackholed nat_idle connection is destroyed).
   */
  remove(): void;
  /** The connection is gone: release timers, forward nothing. */
  destroy(): void;
}

export interface ToxicKind<A extends ToxicAttributes = ToxicAttributes> {
  /** The `type` in the API, e.g. `latency`. */
  type: string;
  /** Attributes a new toxic gets for each one the request leaves out. */
  defaults: A;
  /** Throws ToxicAttributeError for values the real server rejects or would crash or hang on. */
  validate(attributes: A): void;
  /** Builds the stage for one link. `attributes()` always returns the toxic's current values. */
  createStage(context: ToxicLinkContext, attributes: () => A, next: ChunkSink): ToxicStage;
}
