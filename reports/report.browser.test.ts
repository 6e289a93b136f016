import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { chromiumMissing, openChromium } from './test/chromium.js';
import { inheritedEnv } from '../test/config.js';
import { processesUsing } from '../test/processes.js';
import { startCli } from '../test/run-cli.js';

const dirs: string[] = [];
const children: Array<ReturnType<typeof startCli>> = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-browser-'));
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  // A run still going (a timeout) is interrupted: it stops the stack it started.
  for (const { child, result } of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await result;
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}, 60_000);

if (chromiumMissing) process.stdout.write(`reports/report.browser.test.ts: ${chromiumMissing}\n`);

describe.skipIf(chromiumMissing !== null)('report.html from a real run, in headless Chromium', () => {
  it('shows the verdict table and a non-empty SVG for every chart, loading nothing from elsewhere', async () => {
    const out = tempDir();
    const started = startCli(['run', 'jp-emoji', '--scale', '0.5', '--duration', '10s', '--out', out], { ...inheritedEnv, GAMEDAY_STATE_DIR: tempDir() });
    children.push(started);
    const run = await started.result;
    // The gate's verdict is not what this test proves; the report of either verdict is.
    expect([0, 99], run.stderr).toContain(run.code);
    const reportPath = join(out, 'report.html');
    expect(run.stderr).toContain(`gameday: report: ${reportPath}\n`);
    expect(run.stderr).toContain(`gameday: junit: ${join(out, 'junit.xml')}\n`);
    expect(processesUsing(out)).toEqual([]);

    const context = await openChromium(tempDir());
    try {
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith('file:')) requests.push(request.url());
      });
      await page.goto(pathToFileURL(reportPath).href);
      await page.screenshot({ path: join(out, 'report.png'), fullPage: true });
      const verdictRows = await page.locator('#verdict-table tbody tr').allTextContents();
      const charts: Array<{ title: string; drawn: number; width: number }> = [];
      for (const svg of await page.locator('svg.chart').all()) {
        const series = await svg.locator('path.series').all();
        const paths = await Promise.all(series.map(async (path) => ({ d: await path.getAttribute('d'), box: await path.boundingBox() })));
        charts.push({
          title: (await svg.locator('title').first().textContent()) ?? '',
          drawn: paths.filter((path) => path.d?.startsWith('M')).length,
          width: Math.max(0, ...paths.map((path) => path.box?.width ?? 0)),
        });
      }
      const figures = page.locator('figure.chart-figure');
      const facts = {
        verdictRows, charts,
        figures: await figures.count(),
        figuresWithoutContent: await figures.filter({ hasNot: page.locator('svg.chart, .not-recorded') }).count(),
      };
      expect(facts.verdictRows).toHaveLength(1);
      expect(facts.verdictRows[0]).toMatch(/^jp-emoji\s*hardened\s*(pass|FAIL)/);
      // p95 TTFT, messages, errors, reconnects and two latency histograms at least; open sockets and Redis when recorded.
      expect(facts.charts.length).toBeGreaterThanOrEqual(6);
      expect(facts.figures).toBeGreaterThanOrEqual(facts.charts.length);
      for (const chart of facts.charts) {
        expect(chart.title, JSON.stringify(chart)).not.toBe('');
        expect(chart.drawn, chart.title).toBeGreaterThan(0);
        expect(chart.width, chart.title).toBeGreaterThan(0);
      }
      expect(facts.figuresWithoutContent).toBe(0);
      expect(requests).toEqual([]);
      expect(readFileSync(join(out, 'report.png')).subarray(1, 4).toString()).toBe('PNG');

      // junit.xml through the browser's own XML parser: well-formed, one suite, one case per threshold.
      const xml = JSON.stringify(readFileSync(join(out, 'junit.xml'), 'utf8'));
      const junit = await page.evaluate(`(() => {
        const doc = new DOMParser().parseFromString(${xml}, 'application/xml');
        return {
          errors: doc.getElementsByTagName('parsererror').length,
          suites: [...doc.getElementsByTagName('testsuite')].map((suite) => suite.getAttribute('name')),
          cases: doc.getElementsByTagName('testcase').length,
        };
      })()`);
      expect(junit).toEqual({ errors: 0, suites: ['jp-emoji-hardened'], cases: 3 });
    } finally {
      await context.close();
    }
  }, 150_000);
});
