import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Random } from '../../stack/random.js';
import { Link } from './link.js';
import type { LinkOutlet } from './link-chain.js';
import type { ConnectionControl, Stream } from './toxic.js';
import type { ToxicList, ToxicRecord } from './toxic-list.js';

/** Toxiproxy moves data with io.Copy's 32 KiB buffer, so no chunk it forwards is bigger. */
export const maxChunkBytes = 32 * 1024;

export interface ConnectionSettings {
  /** The proxy's count of accepted clients: 1 for its first. Seeds and logs use it. */
  id: number;
  /** Accepted with pauseOnConnect; this connection resumes it once its links are built. */
  client: Socket;
  upstream: Socket;
  toxics: ToxicList;
  /** A seeded random for this connection, one per direction and purpose. */
  random(stream: Stream, purpose: string): Random;
  logger: Logger;
  onFinished(connection: ProxiedConnection): void;
}

interface Peer {
  readonly name: 'client' | 'upstream';
  readonly socket: Socket;
  /** We closed or reset it: what it still sends is ignored. */
  closing: boolean;
  /** Its 'close' came: writes to it are dropped. */
  gone: boolean;
}

/**
 * A client and its upstream, joined by two links (upstream: client → server, downstream:
 * server → client). Like Toxiproxy there is no half-close: when either side's end has flowed
 * through its link, the far socket is closed outright, and that ends the other link too.
 */
export class ProxiedConnection {
  readonly id: number;
  readonly control: ConnectionControl;
  private readonly peers: Record<'client' | 'upstream', Peer>;
  private readonly links: Record<Stream, Link>;
  private readonly activityListeners = new Set<(at: number) => void>();
  private lastActivity = performance.now();
  private blackholed = false;
  private finished = false;

  constructor(private readonly settings: ConnectionSettings) {
    this.id = settings.id;
    const client: Peer = { name: 'client', socket: settings.client, closing: false, gone: false };
    const upstream: Peer = { name: 'upstream', socket: settings.upstream, closing: false, gone: false };
    this.peers = { client, upstream };
    this.control = {
      close: () => this.close(),
      reset: () => this.reset(),
      blackhole: () => this.blackhole(),
      lastActivityAt: () => this.lastActivity,
      onActivity: (listener) => {
        this.activityListeners.add(listener);
        return () => this.activityListeners.delete(listener);
      },
    };
    this.links = {
      upstream: this.buildLink('upstream', client, upstream),
      downstream: this.buildLink('downstream', upstream, client),
    };
    this.wire(client, this.links.upstream, this.links.downstream);
    this.wire(upstream, this.links.downstream, this.links.upstream);
    settings.client.resume();
  }

  link(stream: Stream): Link {
    return this.links[stream];
  }

  addToxic(record: ToxicRecord): void {
    this.links[record.direction].addToxic(record);
  }

  updateToxic(record: ToxicRecord, toxicityChanged: boolean): void {
    this.links[record.direction].updateToxic(record, toxicityChanged);
  }

  removeToxic(record: ToxicRecord): void {
    this.links[record.direction].removeToxic(record);
  }

  /** The proxy is disabled, deleted or stopped: both sockets go now, as Go's conn.Close(). */
  destroy(): void {
    this.forEachPeer((peer) => peer.socket.destroy());
  }

  private buildLink(stream: Stream, source: Peer, far: Peer): Link {
    return new Link({
      stream,
      source: { pause: () => source.socket.pause(), resume: () => source.socket.resume() },
      outlet: this.outletTo(far),
      toxics: this.settings.toxics,
      connection: this.control,
      random: (purpose) => this.settings.random(stream, purpose),
    });
  }

  private outletTo(far: Peer): LinkOutlet {
    return {
      write: (chunk) => (this.blackholed || far.closing || far.gone ? true : far.socket.write(chunk)),
      end: () => {
        if (!this.blackholed) this.closePeer(far);
      },
    };
  }

  private wire(peer: Peer, asSource: Link, asFar: Link): void {
    const { socket } = peer;
    socket.on('data', (chunk: Buffer) => {
      this.touch();
      if (this.blackholed || peer.closing) return;
      for (let offset = 0; offset < chunk.length; offset += maxChunkBytes) {
        asSource.write(chunk.subarray(offset, offset + maxChunkBytes));
      }
    });
    // A vanished NAT mapping swallows FINs and resets too: the other side never learns.
    socket.on('end', () => {
      if (!this.blackholed) asSource.end();
    });
    socket.on('drain', () => asFar.drained());
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.settings.logger.debug({ side: peer.name, code: error.code }, 'proxied socket failed');
    });
    socket.on('close', () => {
      peer.gone = true;
      if (!this.blackholed) asSource.end();
      asFar.drained();
      this.finishIfBothGone();
    });
  }

  /** Go's Close(): FIN after what is written, and whatever the peer still sends is refused. */
  private closePeer(peer: Peer): void {
    if (peer.closing || peer.gone) return;
    peer.closing = true;
    peer.socket.end(() => peer.socket.destroy());
    this.links[peer.name === 'client' ? 'upstream' : 'downstream'].end();
  }

  private close(): void {
    if (this.blackholed) {
      this.destroy();
      return;
    }
    this.closePeer(this.peers.client);
    this.closePeer(this.peers.upstream);
  }

  private reset(): void {
    this.forEachPeer((peer) => peer.socket.resetAndDestroy());
  }

  private blackhole(): void {
    if (this.blackholed) return;
    this.blackholed = true;
    // Packets into a dropped mapping vanish: keep reading so neither sender is slowed down.
    this.peers.client.socket.resume();
    this.peers.upstream.socket.resume();
  }

  private forEachPeer(act: (peer: Peer) => void): void {
    const open = [this.peers.client, this.peers.upstream].filter((peer) => !peer.gone && !peer.socket.destroyed);
    for (const peer of open) peer.closing = true;
    for (const peer of open) act(peer);
  }

  private touch(): void {
    this.lastActivity = performance.now();
    for (const listener of this.activityListeners) listener(this.lastActivity);
  }

  private finishIfBothGone(): void {
    if (this.finished || !this.peers.client.gone || !this.peers.upstream.gone) return;
    this.finished = true;
    this.links.upstream.destroy();
    this.links.downstream.destroy();
    this.activityListeners.clear();
    this.settings.onFinished(this);
  }
}
