import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareRuns, type Comparison } from './compare.js';
import { renderCompareHtml } from './compare-html.js';
import { readRunFolder, type RunFolder } from './run-folder.js';
import { builtinSummary, k6ShapedSummary, writeRunFolder } from './test/fixtures.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function run(summaries: Parameters<typeof writeRunFolder>[1]): RunFolder {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-compare-'));
  dirs.push(dir);
  return readRunFolder(writeRunFolder(dir, summaries));
}

const row = (comparison: Comparison, entry: string, threshold: string) =>
  comparison.rows.find((each) => each.entry === entry && `${each.metric} ${each.threshold}` === threshold);

describe('compareRuns', () => {
  const baseline = () => run([builtinSummary(), k6ShapedSummary()]);

  it('finds no regression between two runs that measured the same', () => {
    const comparison = compareRuns(baseline(), baseline(), 0.2);
    expect(comparison.regressed).toBe(false);
    expect(comparison.rows).toHaveLength(8);
    expect(comparison.rows.every((each) => each.change === 'same')).toBe(true);
  });

  it('flags a threshold that went from pass to fail', () => {
    const b = run([builtinSummary({ errors: 12 }), k6ShapedSummary()]);
    const comparison = compareRuns(baseline(), b, 0.2);
    expect(comparison.regressed).toBe(true);
    expect(row(comparison, 'task-kill-hardened', 'chat_errors rate<0.01')).toMatchObject({
      a: { state: 'pass', shown: '0.00%' }, b: { state: 'fail', shown: '4.00%' }, change: 'pass → fail', regressed: true,
    });
  });

  it('flags a value that got worse beyond the tolerance while still passing, and not one within it', () => {
    // p95 per window 500/1500/2500 ms → 600/1800/2900 ms: the whole-run p95 goes 1500 → 1800 ms (+20 %), the worst window 2500 → 2900 (+16 %).
    const b = run([builtinSummary({ ttftP95ByWindowMs: [600, 1800, 2900] }), k6ShapedSummary()]);
    const strict = compareRuns(baseline(), b, 0.1);
    expect(row(strict, 'task-kill-hardened', 'chat_ttft p(95)<3000')).toMatchObject({ a: { state: 'pass' }, b: { state: 'pass' }, change: 'worse beyond tolerance', regressed: true });
    expect(strict.regressed).toBe(true);
    const lenient = compareRuns(baseline(), b, 0.25);
    expect(row(lenient, 'task-kill-hardened', 'chat_ttft p(95)<3000')).toMatchObject({ change: 'worse', regressed: false });
    expect(lenient.regressed).toBe(false);
    // Faster is better, whatever the tolerance.
    expect(compareRuns(b, baseline(), 0).regressed).toBe(false);
  });

  it('flags an incident-profile or a threshold B no longer judges, and does not flag one only B has', () => {
    const comparison = compareRuns(baseline(), run([builtinSummary({ notEvaluated: true })]), 0.2);
    expect(comparison.regressed).toBe(true);
    expect(row(comparison, 'jp-emoji-hardened', 'chat_messages count>0')).toMatchObject({ b: { state: 'missing' }, change: 'no longer judged', regressed: true });
    expect(row(comparison, 'task-kill-hardened', 'session_turns_lost count==0')).toMatchObject({ a: { state: 'missing' }, b: { state: 'not evaluated' }, regressed: false });
    expect(comparison.notes).toEqual(['task-kill-hardened ran differently: target embedded stack → http://127.0.0.1:9']);
    const grown = compareRuns(run([builtinSummary()]), baseline(), 0.2);
    expect(grown.regressed).toBe(false);
    expect(row(grown, 'jp-emoji-hardened', 'chat_ttft p(95)<3000')).toMatchObject({ change: 'new in B', regressed: false });
  });

  it('says so when the runs share no incident-profile (hardened against naive, say)', () => {
    const comparison = compareRuns(run([builtinSummary({ profile: 'hardened' })]), run([builtinSummary({ profile: 'naive' })]), 0.2);
    expect(comparison.regressed).toBe(true);
    expect(comparison.notes).toEqual([
      'the runs share no incident-profile (A ran task-kill-hardened; B ran task-kill-naive): every threshold of A counts as no longer judged',
    ]);
    expect(compareRuns(baseline(), baseline(), 0.2).notes).toEqual([]);
  });

  it('judges a rise from zero against the threshold\'s limit', () => {
    // 0 % → 0.33 % errors still passes rate<0.01; it is a third of the limit, beyond a 20 % tolerance.
    const comparison = compareRuns(baseline(), run([builtinSummary({ errors: 1 }), k6ShapedSummary()]), 0.2);
    expect(row(comparison, 'task-kill-hardened', 'chat_errors rate<0.01')).toMatchObject({ b: { state: 'pass', shown: '0.33%' }, change: 'worse beyond tolerance', regressed: true });
  });

  it('renders compare.html with regressed rows marked', () => {
    const comparison = compareRuns(baseline(), run([builtinSummary({ errors: 12 }), k6ShapedSummary()]), 0.2);
    const html = renderCompareHtml(comparison, new Date('2027-01-01T00:00:00Z'));
    expect(html).toContain('B regressed against A: 1 threshold (exit 99).');
    expect(html).toMatch(/<tr class="regressed"><th scope="row">chat_errors rate&lt;0.01<\/th><td>0.00%<\/td>.*<td>4.00%<\/td>.*REGRESSED<\/span> pass → fail/);
    expect(html.match(/class="regressed"/g)).toHaveLength(1);
  });
});
