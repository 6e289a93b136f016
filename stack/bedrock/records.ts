import type { AwsErrorType } from './aws-errors.js';
import type { ModelFamily } from './models.js';

export type Operation = 'InvokeModel' | 'InvokeModelWithResponseStream' | 'Converse' | 'ConverseStream';

/**
 * How a call ended: answered in full, refused before the answer (status ≥ 400), cut by an
 * exception frame, cut because the client went away, or ended by the emulator shutting down.
 */
export type Outcome = 'ok' | 'error' | 'mid_stream_error' | 'client_closed' | 'shutdown';

/** One model call, as the harness reads it to split client latency from the emulator's own. */
export interface CallRecord {
  seq: number;
  requestId: string;
  operation: Operation;
  /** As the client sent it (decoded), e.g. an inference-profile id. */
  modelId: string;
  family: ModelFamily | null;
  /** Epoch milliseconds when the request arrived. */
  startedAt: number;
  inputTokens: number;
  /** Tokens actually sent (fewer than planned when the stream was cut). */
  outputTokens: number;
  plannedTtftMs: number | null;
  /** When the model would have finished: TTFT plus every later token at the planned rate. */
  plannedDurationMs: number | null;
  /** Arrival -> first text written to the socket; null when none was. */
  ttftMs: number | null;
  durationMs: number;
  status: number;
  outcome: Outcome;
  errorType?: AwsErrorType;
}

export type NewRecord = Omit<CallRecord, 'seq'>;

interface Tally { requests: number; inputTokens: number; outputTokens: number }

export interface CallStats {
  total: number;
  byModel: Record<string, Tally>;
  byStatus: Record<string, number>;
  byOutcome: Record<string, number>;
  byErrorType: Record<string, number>;
}

function roundMs<T extends number | null>(ms: T): T {
  return (ms === null ? ms : Math.round(ms * 1000) / 1000) as T;
}

function emptyStats(): CallStats {
  return { total: 0, byModel: {}, byStatus: {}, byOutcome: {}, byErrorType: {} };
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/**
 * Finished calls in a ring buffer, numbered in the order they finished, so a poller that
 * asks "since N" sees each call once, with its final numbers. Totals cover the whole run,
 * including what the ring has already dropped.
 */
export class RecordStore {
  private ring: CallRecord[] = [];
  private nextSeq = 1;
  private totals = emptyStats();

  constructor(private readonly limit: number) {}

  add(fields: NewRecord): CallRecord {
    const record: CallRecord = {
      seq: this.nextSeq,
      ...fields,
      plannedTtftMs: roundMs(fields.plannedTtftMs),
      plannedDurationMs: roundMs(fields.plannedDurationMs),
      ttftMs: roundMs(fields.ttftMs),
      durationMs: roundMs(fields.durationMs),
    };
    this.nextSeq += 1;
    this.ring[(record.seq - 1) % this.limit] = record;
    this.count(record);
    return record;
  }

  /** Records with seq > since, oldest first; `missed` counts those already overwritten. */
  since(since: number, limit: number): { records: CallRecord[]; nextSince: number; missed: number } {
    const newest = this.nextSeq - 1;
    const oldestKept = Math.max(1, newest - this.limit + 1);
    const first = Math.max(since + 1, oldestKept);
    const last = Math.min(newest, first + limit - 1);
    const records: CallRecord[] = [];
    for (let seq = first; seq <= last; seq += 1) records.push(this.ring[(seq - 1) % this.limit] as CallRecord);
    return { records, nextSince: Math.max(since, last), missed: Math.max(0, first - since - 1) };
  }

  stats(): CallStats {
    return structuredClone(this.totals);
  }

  reset(): void {
    this.ring = [];
    this.nextSeq = 1;
    this.totals = emptyStats();
  }

  private count(record: CallRecord): void {
    const totals = this.totals;
    totals.total += 1;
    // By family, not by the id as sent: a client sending junk ids must not grow this map.
    const model = record.family ?? 'unknown';
    const tally = totals.byModel[model] ?? { requests: 0, inputTokens: 0, outputTokens: 0 };
    tally.requests += 1;
    tally.inputTokens += record.inputTokens;
    tally.outputTokens += record.outputTokens;
    totals.byModel[model] = tally;
    bump(totals.byStatus, String(record.status));
    bump(totals.byOutcome, record.outcome);
    if (record.errorType) bump(totals.byErrorType, record.errorType);
  }
}
