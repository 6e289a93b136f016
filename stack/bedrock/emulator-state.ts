import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { hashString, seededRandom, type Random } from '../random.js';
import { type FaultSettings, noFaults } from './faults.js';
import { QuotaTracker, type QuotaSettings } from './quotas.js';
import { RecordStore } from './records.js';

export interface EmulatorSettings {
  seed: number;
  timeScale: number;
  targetOutputTokens: number;
  quotas: QuotaSettings;
  recordLimit: number;
}

/** A model call in flight, which shutdown must be able to end. */
export interface ActiveCall {
  readonly streaming: boolean;
  stop(): void;
}

/** A modelled minute: what the per-minute quotas count over. */
const quotaWindowMs = 60_000;

/**
 * Text chunks per second across all streams before ticks lengthen. Every chunk costs the
 * emulator and its client CPU (framing, h2, the SDK's decoding): past this, thousands of
 * streams would saturate both and make every timing late. The first text and the last token
 * stay on time whatever the tick; only how many tokens share a chunk changes.
 */
const chunkBudgetPerSecond = 10_000;
const shortestTickMs = 20;
const longestTickMs = 250;

/** Everything the routes share: settings, chaos state, quotas, records and calls in flight. */
export class EmulatorState {
  faults: FaultSettings = { ...noFaults };
  readonly quotas: QuotaTracker;
  readonly records: RecordStore;
  private readonly active = new Set<ActiveCall>();
  private openStreams = 0;
  readonly startedAt = performance.now();
  closing = false;
  private requestCount = 0;

  constructor(readonly settings: Readonly<EmulatorSettings>, readonly logger: Logger) {
    this.quotas = new QuotaTracker(settings.quotas, quotaWindowMs * settings.timeScale, () => performance.now());
    this.records = new RecordStore(settings.recordLimit);
  }

  /**
   * Independent seeded sources for one call, one per purpose, derived from the seed and the
   * call's number: the same seed and the same order of requests replay the same run.
   */
  nextCallRandomness(): (purpose: string) => Random {
    this.requestCount += 1;
    const prefix = `${this.settings.seed}:${this.requestCount}:`;
    return (purpose) => seededRandom(hashString(prefix + purpose));
  }

  track(call: ActiveCall): void {
    this.active.add(call);
    if (call.streaming) this.openStreams += 1;
  }

  untrack(call: ActiveCall): void {
    if (this.active.delete(call) && call.streaming) this.openStreams -= 1;
  }

  /** Every call in flight, e.g. for shutdown to end them. */
  activeCalls(): ActiveCall[] {
    return [...this.active];
  }

  get activeStreams(): number {
    return this.openStreams;
  }

  get activeCallCount(): number {
    return this.active.size;
  }

  /** How long a stream waits between chunks now: short, unless many streams share the budget. */
  chunkTickMs(): number {
    return Math.min(longestTickMs, Math.max(shortestTickMs, (1000 * this.openStreams) / chunkBudgetPerSecond));
  }

  /** Back to how the emulator started: no faults, the start quotas, no records, request 1 next. */
  reset(): void {
    this.faults = { ...noFaults };
    this.quotas.limits = this.settings.quotas;
    this.quotas.clearUsage();
    this.records.reset();
    this.requestCount = 0;
  }
}
