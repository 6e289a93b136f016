import type { Random } from '../../stack/random.js';
import { LinkChain, type LinkOutlet, type LinkSource } from './link-chain.js';
import type { ConnectionControl, Stream } from './toxic.js';
import type { ToxicList, ToxicRecord } from './toxic-list.js';

export interface LinkSettings {
  stream: Stream;
  source: LinkSource;
  outlet: LinkOutlet;
  toxics: ToxicList;
  connection: ConnectionControl;
  /** A seeded random for this connection and direction, one per purpose. */
  random(purpose: string): Random;
}

/**
 * One direction of a proxied connection and the toxics acting on it. Whether a toxic acts here
 * is drawn once per link (Toxiproxy's toxicity), when the link starts or the toxic is added; a
 * toxic not chosen gets no stage at all.
 */
export class Link {
  readonly stream: Stream;
  private readonly chain: LinkChain<ToxicRecord>;
  private readonly toxicityDraw: Random;
  private ended = false;

  constructor(private readonly settings: LinkSettings) {
    this.stream = settings.stream;
    this.chain = new LinkChain(settings.source, settings.outlet);
    this.toxicityDraw = settings.random('toxicity');
    for (const record of settings.toxics.inDirection(this.stream)) {
      if (this.chosen(record)) this.addStage(record, this.chain.size(), false);
    }
  }

  write(chunk: Buffer): void {
    this.chain.write(chunk);
  }

  /** The source is done (FIN, error, or closed by us): the end flows through the stages. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.chain.end();
  }

  drained(): void {
    this.chain.drained();
  }

  addToxic(record: ToxicRecord): void {
    if (this.ended || !this.chosen(record)) return;
    this.addStage(record, this.chain.size(), true);
  }

  /**
   * New attributes reach the stage at once. A new toxicity is drawn again, so raising it can
   * add the stage to a live link and lowering it can take the stage away; an update that
   * leaves toxicity alone keeps each link's earlier draw, so a run stays repeatable.
   */
  updateToxic(record: ToxicRecord, toxicityChanged: boolean): void {
    const present = this.chain.has(record);
    if (!toxicityChanged || this.ended) {
      if (present) this.chain.updated(record);
      return;
    }
    const chosen = this.chosen(record);
    if (present && chosen) this.chain.updated(record);
    else if (present) this.chain.remove(record);
    else if (chosen) this.addStage(record, this.settings.toxics.positionAmong(record, this.chain.keys()), true);
  }

  removeToxic(record: ToxicRecord): void {
    this.chain.remove(record);
  }

  destroy(): void {
    this.chain.destroy();
  }

  heldBytes(): number {
    return this.chain.heldBytes();
  }

  isSourcePaused(): boolean {
    return this.chain.isSourcePaused();
  }

  stageCount(): number {
    return this.chain.size();
  }

  hasStage(record: ToxicRecord): boolean {
    return this.chain.has(record);
  }

  private chosen(record: ToxicRecord): boolean {
    return this.toxicityDraw() < Math.fround(record.toxicity);
  }

  private addStage(record: ToxicRecord, index: number, addedToLiveConnection: boolean): void {
    this.chain.insert(record, index, (next) =>
      record.kind.createStage(
        {
          stream: this.stream,
          random: this.settings.random(`toxic ${record.name}`),
          connection: this.settings.connection,
          addedToLiveConnection,
          dropped: (bytes) => this.chain.dropped(bytes),
        },
        () => record.attributes,
        next,
      ),
    );
  }
}
