import type { CallRecord } from '../stack/bedrock/records.js';
import type { MessageResult } from './service-load.js';

export interface Spread { p50: number; p95: number; p99: number; max: number; count: number }

/** Nearest-rank percentiles; NaN for an empty list. */
export function spread(values: number[]): Spread {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const at = (fraction: number) => sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN, count: sorted.length };
}

/** Reads the emulator's call records page by page as they come, so the ring can never drop one unseen. */
export class RecordCollector {
  private since = 0;
  private readonly kept: CallRecord[] = [];
  missed = 0;

  constructor(private readonly adminUrl: string) {}

  async poll(): Promise<void> {
    for (;;) {
      const response = await fetch(`${this.adminUrl}/records?since=${this.since}&limit=10000`);
      if (!response.ok) throw new Error(`the emulator's records answered ${response.status}`);
      const page = (await response.json()) as { records: CallRecord[]; nextSince: number; missed: number };
      this.kept.push(...page.records);
      this.missed += page.missed;
      this.since = page.nextSince;
      if (page.records.length === 0) return;
    }
  }

  records(): readonly CallRecord[] {
    return this.kept;
  }
}

/** `beforeModelMs`: send -> the call reached the emulator; the rest of `addedMs` is first token written -> client. */
export interface MatchedCall { clientTtftMs: number; emulatorTtftMs: number; addedMs: number; beforeModelMs: number }

export interface Matching { matched: MatchedCall[]; ambiguous: number; unmatched: number; withoutModel: number }

// Date.now() is whole milliseconds in both processes.
const clockSlackMs = 2;

/**
 * Pairs each answered message with the one model call that produced it. The service's `done`
 * frame reports the usage Bedrock returned (input and output tokens), and the emulator records
 * the same two numbers; the call must also have arrived after the send and written its first
 * token before the client read one. A message with no such call, or with two, or a call two
 * messages claim, is left out and counted rather than guessed.
 */
export function matchCalls(results: readonly MessageResult[], records: readonly CallRecord[]): Matching {
  const byUsage = new Map<string, CallRecord[]>();
  for (const record of records) {
    if (record.operation !== 'InvokeModelWithResponseStream' || record.ttftMs === null) continue;
    const key = `${record.inputTokens}/${record.outputTokens}`;
    byUsage.set(key, [...(byUsage.get(key) ?? []), record]);
  }
  const claims = new Map<string, number>();
  const candidates: Array<{ result: MessageResult; record: CallRecord }> = [];
  let ambiguous = 0;
  let unmatched = 0;
  let withoutModel = 0;
  for (const result of results) {
    if (result.usage === null || result.ttftMs === null || result.firstChunkEpochMs === null) continue;
    // A cached answer costs no model call, so there is nothing to subtract.
    if (result.usage.outputTokens === 0) {
      withoutModel += 1;
      continue;
    }
    const firstChunkEpochMs = result.firstChunkEpochMs;
    const fits = (byUsage.get(`${result.usage.inputTokens}/${result.usage.outputTokens}`) ?? []).filter((record) =>
      record.startedAt >= result.sentEpochMs - clockSlackMs
      && record.startedAt + (record.ttftMs ?? 0) <= firstChunkEpochMs + clockSlackMs);
    if (fits.length === 1) {
      const record = fits[0] as CallRecord;
      candidates.push({ result, record });
      claims.set(record.requestId, (claims.get(record.requestId) ?? 0) + 1);
    } else if (fits.length === 0) unmatched += 1;
    else ambiguous += 1;
  }
  const matched: MatchedCall[] = [];
  for (const { result, record } of candidates) {
    if ((claims.get(record.requestId) ?? 0) > 1) {
      ambiguous += 1;
      continue;
    }
    const clientTtftMs = result.ttftMs as number;
    const emulatorTtftMs = record.ttftMs as number;
    matched.push({ clientTtftMs, emulatorTtftMs, addedMs: clientTtftMs - emulatorTtftMs, beforeModelMs: record.startedAt - result.sentEpochMs });
  }
  return { matched, ambiguous, unmatched, withoutModel };
}

export interface PhaseSummary {
  sent: number;
  answered: number;
  errors: number;
  errorRate: number;
  errorKinds: string[];
  clientTtft: Spread;
  /** How late this process got to each message against the open model's schedule: the generator's own health. */
  generatorLag: Spread;
  /** Messages that found no free session and waited for one to be created (not counted in TTFT). */
  waitedForSession: number;
  matching: Matching;
}

export function summarisePhase(results: readonly MessageResult[], records: readonly CallRecord[]): PhaseSummary {
  const failed = results.filter((result) => result.error !== null);
  return {
    sent: results.length,
    answered: results.filter((result) => result.usage !== null).length,
    errors: failed.length,
    errorRate: results.length === 0 ? 0 : failed.length / results.length,
    errorKinds: [...new Set(failed.map((result) => result.error as string))],
    clientTtft: spread(results.flatMap((result) => (result.ttftMs === null ? [] : [result.ttftMs]))),
    generatorLag: spread(results.map((result) => result.dispatchedAt - result.dueAt)),
    waitedForSession: results.filter((result) => result.waitedForSession).length,
    matching: matchCalls(results, records),
  };
}
