import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinSummary, k6ShapedSummary, writeRunFolder } from '../reports/test/fixtures.js';
import { inheritedEnv } from '../test/config.js';
import { runCli } from '../test/run-cli.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-report-cli-'));
  dirs.push(dir);
  return dir;
}

const env = () => ({ ...inheritedEnv, GAMEDAY_STATE_DIR: tempDir() });
const report = (...args: string[]) => runCli(['report', ...args], env());

describe('gameday report <run-dir>', () => {
  it('writes report.html and junit.xml into the folder and prints their paths', async () => {
    const dir = writeRunFolder(tempDir(), [builtinSummary(), builtinSummary({ profile: 'naive', errors: 12 }), k6ShapedSummary()]);
    const result = await report(dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`report: ${join(dir, 'report.html')}\njunit: ${join(dir, 'junit.xml')}\n`);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/^<!DOCTYPE html>[\s\S]*id="verdict-table"/);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="gameday /);
    const json = await report(dir, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({
      runDir: dir, entries: [{ entry: 'jp-emoji-hardened', passed: false }, { entry: 'task-kill-hardened', passed: true }, { entry: 'task-kill-naive', passed: false }],
    });
  });

  it('exits 1 with a message naming the folder or file, never a stack trace', async () => {
    const missing = join(tempDir(), 'missing');
    const notRun = tempDir();
    const corrupt = tempDir();
    mkdirSync(join(corrupt, 'jp-emoji-hardened'));
    writeFileSync(join(corrupt, 'jp-emoji-hardened', 'summary.json'), '{"metrics": {}, "gameday": ');
    const damaged = builtinSummary();
    const ttft = damaged.gameday.snapshot?.metrics.chat_ttft;
    if (ttft?.type === 'trend') ttft.total.hdr = 'HISTFAAAAdamaged';
    const broken = writeRunFolder(tempDir(), [damaged]);
    const [noFolder, noRun, badJson, none, two, stray, badHdr] = await Promise.all([
      report(missing), report(notRun), report(corrupt), report(), report(notRun, corrupt), report(notRun, '--tolerance', '5'), report(broken),
    ]);
    expect(noFolder.stderr).toBe(`gameday: GAMEDAY_ERR_REPORT_NO_FOLDER: the run folder ${missing} does not exist. Name the folder \`gameday run --out\` wrote (default reports/runs/<run-id>).\n`);
    expect(noRun.stderr).toMatch(/^gameday: GAMEDAY_ERR_REPORT_NOT_A_RUN: .* is not a run folder: it holds no <incident>-<profile>\/summary\.json/);
    expect(badJson.stderr).toMatch(new RegExp(`^gameday: GAMEDAY_ERR_REPORT_CORRUPT_SUMMARY: ${join(corrupt, 'jp-emoji-hardened', 'summary.json')} is not a readable gameday summary: it is not JSON`));
    expect(none.stderr).toMatch(/GAMEDAY_ERR_USAGE: name one run folder/);
    expect(two.stderr).toMatch(/GAMEDAY_ERR_USAGE: name one run folder/);
    expect(stray.stderr).toMatch(/GAMEDAY_ERR_USAGE: --tolerance and --out go with --compare/);
    expect(badHdr.stderr).toMatch(new RegExp(`^gameday: GAMEDAY_ERR_REPORT_RENDER: the report of ${broken} could not be drawn: .*damaged HDR histogram`));
    for (const result of [noFolder, noRun, badJson, none, two, stray, badHdr]) {
      expect(result.code).toBe(1);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('--help says how to use it', async () => {
    const result = await report('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage:\n {2}gameday report <run-dir> \[--json\]\n {2}gameday report --compare/);
  });
});

describe('gameday report --compare A B', () => {
  it('exits 0 when B holds up against A, 99 when B regressed, and writes compare.html (+ compare.json with --json)', async () => {
    const a = writeRunFolder(tempDir(), [builtinSummary(), k6ShapedSummary()]);
    const same = writeRunFolder(tempDir(), [builtinSummary(), k6ShapedSummary()]);
    const worse = writeRunFolder(tempDir(), [builtinSummary({ errors: 12 }), k6ShapedSummary()]);
    const out = join(tempDir(), 'gate');
    const [held, regressed, json] = await Promise.all([
      report('--compare', a, same),
      report('--compare', a, worse, '--out', out),
      report('--compare', a, worse, '--json'),
    ]);
    expect(held.code, held.stderr).toBe(0);
    expect(held.stdout).toBe(`no regression; compare: ${join(same, 'compare.html')}\n`);
    expect(existsSync(join(same, 'compare.html'))).toBe(true);
    expect(regressed.code, regressed.stderr).toBe(99);
    expect(regressed.stdout).toContain('REGRESSED  task-kill-hardened  chat_errors rate<0.01  0.00% (pass) -> 4.00% (fail): pass → fail\n');
    expect(regressed.stdout).toContain(`1 regression(s); compare: ${join(out, 'compare.html')}`);
    expect(readFileSync(join(out, 'compare.html'), 'utf8')).toContain('B regressed against A');
    expect(json.code).toBe(99);
    const parsed = JSON.parse(json.stdout) as { regressed: boolean; compareJson: string; rows: Array<{ regressed: boolean }> };
    expect(parsed.regressed).toBe(true);
    expect(parsed.rows.filter((row) => row.regressed)).toHaveLength(1);
    expect(JSON.parse(readFileSync(parsed.compareJson, 'utf8'))).toMatchObject({ regressed: true, tolerance: 0.2 });
  });

  it('the tolerance decides whether a slower B regressed', async () => {
    const a = writeRunFolder(tempDir(), [builtinSummary()]);
    const slower = writeRunFolder(tempDir(), [builtinSummary({ ttftP95ByWindowMs: [600, 1800, 2900] })]);
    const [strict, lenient, bad] = await Promise.all([
      report('--compare', a, slower, '--tolerance', '10%'),
      report('--compare', a, slower, '--tolerance', '30'),
      report('--compare', a, slower, '--tolerance', 'lots'),
    ]);
    expect(strict.code).toBe(99);
    expect(strict.stdout).toMatch(/REGRESSED {2}task-kill-hardened {2}chat_ttft p\(95\)<3000 {2}\d+ ms \(pass\) -> \d+ ms \(pass\): worse beyond tolerance/);
    expect(lenient.code).toBe(0);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/GAMEDAY_ERR_USAGE: --tolerance must be a percentage from 0 to 1000 such as 20 or 20%, not "lots"/);
  });

  it('refuses a missing side or a single folder (exit 1)', async () => {
    const a = writeRunFolder(tempDir(), [builtinSummary()]);
    const missing = join(tempDir(), 'missing');
    const [gone, one] = await Promise.all([report('--compare', a, missing), report('--compare', a)]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`GAMEDAY_ERR_REPORT_NO_FOLDER: the run folder ${missing} does not exist`);
    expect(one.code).toBe(1);
    expect(one.stderr).toMatch(/GAMEDAY_ERR_USAGE: --compare takes two run folders: A \(before\) and B \(after\)/);
  });
});
