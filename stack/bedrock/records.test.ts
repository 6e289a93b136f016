import { describe, expect, it } from 'vitest';
import { type NewRecord, RecordStore } from './records.js';

function call(overrides: Partial<NewRecord> = {}): NewRecord {
  return {
    requestId: 'r', operation: 'InvokeModelWithResponseStream', modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
    family: 'haiku', startedAt: 0, inputTokens: 10, outputTokens: 20, plannedTtftMs: 100.123456, plannedDurationMs: 400, ttftMs: 101.5,
    durationMs: 500, status: 200, outcome: 'ok', ...overrides,
  };
}

describe('RecordStore', () => {
  it('numbers records from 1 and pages with since/limit', () => {
    const store = new RecordStore(100);
    for (let i = 0; i < 5; i += 1) store.add(call({ requestId: `r${i}` }));
    const first = store.since(0, 2);
    expect(first.records.map((record) => record.seq)).toEqual([1, 2]);
    expect(first.nextSince).toBe(2);
    const rest = store.since(first.nextSince, 10);
    expect(rest.records.map((record) => record.requestId)).toEqual(['r2', 'r3', 'r4']);
    expect(store.since(rest.nextSince, 10)).toEqual({ records: [], nextSince: 5, missed: 0 });
  });

  it('keeps the newest records when the ring is full, and says how many a slow reader missed', () => {
    const store = new RecordStore(3);
    for (let i = 1; i <= 7; i += 1) store.add(call({ requestId: `r${i}` }));
    const page = store.since(0, 10);
    expect(page.records.map((record) => record.seq)).toEqual([5, 6, 7]);
    expect(page.missed).toBe(4);
    expect(store.stats().total).toBe(7);
  });

  it('totals by model family, status, outcome and error type, whatever the ring dropped', () => {
    const store = new RecordStore(1);
    store.add(call());
    store.add(call({ status: 429, outcome: 'error', errorType: 'ThrottlingException', family: 'sonnet', outputTokens: 0 }));
    store.add(call({ family: null, status: 400, outcome: 'error', errorType: 'ValidationException', inputTokens: 0, outputTokens: 0 }));
    expect(store.stats()).toEqual({
      total: 3,
      byModel: {
        haiku: { requests: 1, inputTokens: 10, outputTokens: 20 },
        sonnet: { requests: 1, inputTokens: 10, outputTokens: 0 },
        unknown: { requests: 1, inputTokens: 0, outputTokens: 0 },
      },
      byStatus: { 200: 1, 429: 1, 400: 1 },
      byOutcome: { ok: 1, error: 2 },
      byErrorType: { ThrottlingException: 1, ValidationException: 1 },
    });
  });

  it('rounds times to microseconds and starts over on reset', () => {
    const store = new RecordStore(10);
    expect(store.add(call()).plannedTtftMs).toBe(100.123);
    store.reset();
    expect(store.add(call()).seq).toBe(1);
    expect(store.stats().total).toBe(1);
  });
});
