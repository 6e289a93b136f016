import { describe, expect, it } from 'vitest';
import { createProgress, formatProgress, type ProgressState } from './progress.js';

const state = (elapsedMs: number, overrides: Partial<ProgressState> = {}): ProgressState => ({
  elapsedMs, totalMs: 60_000, sessionsActive: 12, sessionsStarted: 140, sessionsDropped: 3,
  messages: 1204, errors: 2, ttftP95Ms: 812.4, ...overrides,
});

function recorder(tty: boolean) {
  let now = 0;
  const writes: string[] = [];
  const progress = createProgress({ tty, write: (text) => writes.push(text), now: () => now });
  return { progress, writes, at: (ms: number) => { now = ms; } };
}

describe('formatProgress', () => {
  it('shows elapsed/total, sessions, messages, errors and p95 TTFT', () => {
    expect(formatProgress(state(72_500, { label: 'flash-sale', totalMs: 120_000 })))
      .toBe('flash-sale  1:12/2:00  sessions 12 active, 140 started, 3 dropped  messages 1,204  errors 2  p95 TTFT 812 ms');
    expect(formatProgress(state(0, { ttftP95Ms: null }))).toMatch(/p95 TTFT -$/);
  });

  it('past the total, holds the clock at the total and counts the time the open sessions take to finish', () => {
    expect(formatProgress(state(60_000))).toMatch(/^1:00\/1:00 {2}sessions/);
    expect(formatProgress(state(71_900))).toMatch(/^1:00\/1:00 \+0:11 finishing {2}sessions 12 active/);
  });
});

describe('createProgress', () => {
  it('rewrites one terminal line in place, at most every 250 ms, and ends it on done', () => {
    const { progress, writes, at } = recorder(true);
    for (let ms = 0; ms <= 1000; ms += 50) {
      at(ms);
      progress.update(state(ms));
    }
    expect(writes).toHaveLength(5);
    expect(writes.every((text) => text.startsWith('\r') && text.endsWith('\x1b[K') && !text.includes('\n'))).toBe(true);
    at(1020);
    progress.update(state(1020, { messages: 9999 }));
    progress.done();
    expect(writes.slice(-2)).toEqual([`\r${formatProgress(state(1020, { messages: 9999 }))}\x1b[K`, '\n']);
    progress.update(state(5000));
    expect(writes).toHaveLength(7);
  });

  it('writes a plain line every 10 s when not on a terminal, and the last state on done', () => {
    const { progress, writes, at } = recorder(false);
    for (let ms = 0; ms <= 30_000; ms += 1000) {
      at(ms);
      progress.update(state(ms));
    }
    expect(writes).toEqual([10_000, 20_000, 30_000].map((ms) => `${formatProgress(state(ms))}\n`));
    progress.done();
    expect(writes).toHaveLength(3);
    const quiet = recorder(false);
    quiet.progress.update(state(500));
    quiet.progress.done();
    expect(quiet.writes).toEqual([`${formatProgress(state(500))}\n`]);
  });
});
