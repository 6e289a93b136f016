import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReportError } from './report-errors.js';
import { readRunFolder } from './run-folder.js';
import { builtinSummary, k6ShapedSummary, writeRunFolder } from './test/fixtures.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-folder-'));
  dirs.push(dir);
  return dir;
}

function errorOf(action: () => unknown): ReportError {
  try {
    action();
  } catch (error) {
    if (error instanceof ReportError) return error;
    throw error;
  }
  throw new Error('expected a ReportError');
}

describe('readRunFolder', () => {
  it('reads every <incident>-<profile>/summary.json, grouped by incident with hardened first', () => {
    const dir = writeRunFolder(tempDir(), [builtinSummary({ profile: 'naive' }), k6ShapedSummary(), builtinSummary({ profile: 'hardened' })]);
    mkdirSync(join(dir, 'stack'));
    const run = readRunFolder(dir);
    expect(run.entries.map((entry) => entry.key)).toEqual(['jp-emoji-hardened', 'task-kill-hardened', 'task-kill-naive']);
    expect(run.entries[0]).toMatchObject({ engine: 'k6', snapshot: null, runMs: 30_000, samples: null });
    expect(run.entries[1]).toMatchObject({ engine: 'builtin', runMs: 30_000, audit: { sessions: 30 } });
  });

  it('takes the journal from journal.json when the summary does not carry it, and reads an entry folder on its own', () => {
    const dir = writeRunFolder(tempDir(), [builtinSummary()]);
    const journal = builtinSummary({ faults: true }).gameday.faults;
    writeFileSync(join(dir, 'task-kill-hardened', 'journal.json'), JSON.stringify(journal));
    expect(readRunFolder(dir).entries[0]?.journal?.method).toHaveLength(1);
    expect(readRunFolder(join(dir, 'task-kill-hardened')).entries.map((entry) => entry.key)).toEqual(['task-kill-hardened']);
  });

  it('refuses a missing folder, a folder without summaries and a corrupt summary, naming the path', () => {
    const missing = join(tempDir(), 'nope');
    expect(errorOf(() => readRunFolder(missing))).toMatchObject({ code: 'GAMEDAY_ERR_REPORT_NO_FOLDER', message: expect.stringContaining(missing) });
    const empty = tempDir();
    mkdirSync(join(empty, 'stack'));
    expect(errorOf(() => readRunFolder(empty))).toMatchObject({ code: 'GAMEDAY_ERR_REPORT_NOT_A_RUN', message: expect.stringContaining(`${empty} is not a run folder`) });

    const corrupt = (text: string) => {
      const dir = tempDir();
      mkdirSync(join(dir, 'flash-sale-hardened'));
      writeFileSync(join(dir, 'flash-sale-hardened', 'summary.json'), text);
      return errorOf(() => readRunFolder(dir));
    };
    const truncated = corrupt('{"metrics": {');
    expect(truncated.code).toBe('GAMEDAY_ERR_REPORT_CORRUPT_SUMMARY');
    expect(truncated.message).toMatch(/flash-sale-hardened\/summary\.json is not a readable gameday summary: it is not JSON/);
    expect(corrupt('{"metrics": {}}').message).toContain('it has no "gameday" object');
    expect(corrupt('{"metrics": {}, "gameday": {"thresholds": [{"metric": "chat_ttft"}]}}').message).toContain('gameday.thresholds[0] lacks its metric, expression or ok');
    expect(corrupt('[]').message).toContain('it is not a JSON object');
    expect(corrupt('{"metrics": {}, "gameday": {"thresholds": [], "snapshot": {"format": "gameday-metrics/1", "metrics": {}}}}').message)
      .toContain('gameday.snapshot lacks its metrics, start, end, window size or trend scale');
    expect(corrupt('{"metrics": {}, "gameday": {"thresholds": [], "faults": {"start": "2027-01-01T00:00:00Z"}}}').message)
      .toContain('gameday.faults (the chaos journal): it lacks its start, end, method or rollbacks');
  });

  it('refuses a journal.json it cannot draw, naming it', () => {
    const dir = writeRunFolder(tempDir(), [builtinSummary()]);
    const journal = join(dir, 'task-kill-hardened', 'journal.json');
    writeFileSync(journal, JSON.stringify({ start: 'a', end: 'b', rollbacks: [], method: [{ name: '1: task-kill' }] }));
    expect(errorOf(() => readRunFolder(dir))).toMatchObject({
      code: 'GAMEDAY_ERR_REPORT_CORRUPT_JOURNAL', message: `${journal} is not a readable fault journal: method[0] lacks its name, fault, times or outcome. Re-run the incident to write it again.`,
    });
  });
});
