import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderReportHtml } from './report-html.js';
import { readRunFolder, type RunFolder } from './run-folder.js';
import { builtinSummary, junk, k6ShapedSummary, writeRunFolder } from './test/fixtures.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function runFolder(summaries: Parameters<typeof writeRunFolder>[1]): RunFolder {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-report-'));
  dirs.push(dir);
  return readRunFolder(writeRunFolder(dir, summaries));
}

const renderedAt = new Date('2027-01-01T00:00:00Z');

/** HDR keeps 3 significant digits: a percentile read back is within 0.1 % of the recorded value. */
function expectHdr(text: string | undefined, expected: number): void {
  expect(Number(text)).toBeGreaterThanOrEqual(expected * 0.999);
  expect(Number(text)).toBeLessThanOrEqual(expected * 1.001);
}

/** The value column of a figure's values table, window by window. */
function tableValues(figureHtml: string): string[] {
  return [...figureHtml.matchAll(/<th scope="row">[^<]+<\/th><td>([^<]+)<\/td>/g)].map((match) => match[1] as string);
}

/** The markup of one chart figure, by its id. */
function figure(html: string, id: string): string {
  const start = html.indexOf(`<figure class="chart-figure`, html.indexOf(`id="${id}"`) - 40);
  return html.slice(start, html.indexOf('</figure>', start));
}

describe('report.html', () => {
  const folder = () => runFolder([
    builtinSummary({ profile: 'hardened', faults: true, samples: true }),
    builtinSummary({ profile: 'naive', ttftP95ByWindowMs: [900, 4200, 5000], errors: 12, contextLost: 3, faults: true }),
    k6ShapedSummary(),
  ]);

  it('puts the verdict first: each incident pass or FAIL, every threshold with its measured value, naive beside hardened', () => {
    const html = renderReportHtml(folder(), renderedAt);
    const order = ['id="verdict"', 'id="charts"', 'id="histograms"', 'id="cost"', 'id="chaos"', 'id="generator"'].map((id) => html.indexOf(id));
    expect(order.every((position) => position > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain('2 of 3 incident-profiles failed a gate: jp-emoji (hardened), task-kill (naive).');
    const verdict = html.slice(html.indexOf('id="verdict-table"'), html.indexOf('</table>', html.indexOf('id="verdict-table"')));
    expect(verdict).toMatch(/task-kill<\/a><\/td><td>hardened<\/td><td><span class="badge pass">pass/);
    expect(verdict).toMatch(/task-kill<\/a><\/td><td>naive<\/td><td><span class="badge fail">FAIL/);
    expect(html).toContain('<th scope="col">hardened: value</th><th scope="col">hardened: result</th><th scope="col">naive: value</th>');
    // Measured values in the metric's terms. Over the run the 16th slowest of 300 turns is the p95: 1500 ms hardened, 4200 ms naive.
    const whole = /<th scope="row">chat_ttft p\(95\)&lt;3000<\/th><td>(\d+) ms<\/td><td><span class="badge pass">pass<\/span><\/td><td>(\d+) ms<\/td><td><span class="badge fail">FAIL/.exec(html);
    expectHdr(whole?.[1], 1500);
    expectHdr(whole?.[2], 4200);
    const windowed = /chat_ttft p\(95\)&lt;3000 \(every 10s window\)<\/th><td>\d+ ms \(worst window (\d+) ms\)<\/td><td><span class="badge pass">pass<\/span> \(0\/3 windows failed\)<\/td><td>\d+ ms \(worst window (\d+) ms\)<\/td><td><span class="badge fail">FAIL<\/span> \(2\/3 windows failed\)/.exec(html);
    expectHdr(windowed?.[1], 2500);
    expectHdr(windowed?.[2], 5000);
    expect(html).toContain('<th scope="row">chat_errors rate&lt;0.01</th><td>0.00%</td><td><span class="badge pass">pass</span></td><td>4.00%</td><td><span class="badge fail">FAIL');
  });

  it('draws p95 TTFT per 10 s window against the 3 s line, with the journal\'s faults as bands and worker kills as markers', () => {
    const html = renderReportHtml(folder(), renderedAt);
    const ttft = figure(html, 'chart-task-kill-hardened-ttft');
    expect(ttft).toContain('<title id="chart-task-kill-hardened-ttft-t">p95 time to first token per 10 s window</title>');
    expect(ttft).toMatch(/<path class="series line" d="M[\d.]+ [\d.]+L[\d.]+ [\d.]+L[\d.]+ [\d.]+"/);
    expect(ttft).toContain('class="limit"');
    expect(ttft).toContain('gate: p(95) &lt; 3000 ms');
    expect(ttft.match(/class="fault-band"/g)).toHaveLength(1);
    // Killed when applied (5 s) and 8 s later; the journal says 2 rounds.
    expect(ttft.match(/<line class="kill"/g)).toHaveLength(2);
    expect(ttft).toContain('worker kill (SIGKILL) at 13.0 s');
    // Side by side, one scale: the hardened chart reaches as high as the naive one's 5000 ms.
    const topTick = (chart: string) => [...chart.matchAll(/<text class="tick" x="54" [^>]*>([^<]+)<\/text>/g)].map((match) => match[1]).pop();
    expect(topTick(ttft)).toBe('6000');
    expect(topTick(figure(html, 'chart-task-kill-naive-ttft'))).toBe('6000');
    // The text alternative: each window's p95 (not its median or its maximum) as a table.
    expect(ttft).toMatch(/<th scope="row">0.0 s–10.0 s<\/th>.*<th scope="row">10.0 s–20.0 s<\/th>.*<th scope="row">20.0 s–30.0 s<\/th>/s);
    const values = tableValues(ttft);
    expect(values).toHaveLength(3);
    [500, 1500, 2500].forEach((p95, index) => expectHdr(values[index], p95));
  });

  it('draws messages, errors, reconnects, open sockets and Redis evictions when recorded, and says "not recorded" otherwise', () => {
    const html = renderReportHtml(folder(), renderedAt);
    for (const id of ['messages', 'errors', 'reconnects', 'sockets', 'evictions', 'redis-keys', 'redis-memory']) {
      expect(figure(html, `chart-task-kill-hardened-${id}`), id).toMatch(/<svg class="chart"[^>]*><title [^>]*>[^<]+<\/title>.*<path class="series (bars|line)" d="M/s);
    }
    expect(figure(html, 'chart-task-kill-hardened-messages')).toMatch(/<th scope="row">0.0 s–10.0 s<\/th><td>10<\/td>/);
    expect(figure(html, 'chart-task-kill-naive-errors')).toMatch(/<th scope="row">0.0 s–10.0 s<\/th><td>12<\/td>/);
    // The sampler's t = 28 s is 30 s into the run: it started 2 s after the metrics.
    expect(figure(html, 'chart-task-kill-hardened-evictions')).toMatch(/<th scope="row">30.0 s<\/th><td>126<\/td>/);
    expect(figure(html, 'chart-task-kill-hardened-redis-memory')).toMatch(/<th scope="row">2.0 s<\/th><td>20<\/td>/);
    expect(figure(html, 'chart-task-kill-naive-evictions')).toContain('not recorded: this run sampled no Redis figures');
    expect(figure(html, 'chart-jp-emoji-hardened-ttft')).toContain('not recorded: k6 runs keep no per-window metrics');
    expect(figure(html, 'chart-jp-emoji-hardened-ttft')).not.toContain('<svg');
  });

  it('shows latency histograms from the HDR data, LLM cost per 1,000 messages and per session, the journal and the generator', () => {
    const html = renderReportHtml(folder(), renderedAt);
    const histogram = figure(html, 'histogram-task-kill-hardened-chat_ttft');
    expect(histogram).toMatch(/<path class="series bars" d="M/);
    const described = /(\d+) samples from (\d+) ms to (\d+) ms; p95 (\d+) ms\./.exec(histogram);
    expect(described?.slice(1, 3)).toEqual(['300', '250']);
    expectHdr(described?.[3], 3750);
    expectHdr(described?.[4], 1500);
    // The samples, slowest last: 250 ms ×90, 500 ×8, 750 ×(2 + 90), 1250 ×90, 1500 ×8, 2250 ×2, 2500 ×8, 3750 ×2.
    expect(tableValues(histogram).map(Number)).toEqual([90, 8, 92, 90, 8, 2, 8, 2]);
    expect(html).toContain('not recorded: k6 summaries carry no HDR histograms');
    // 300 Sonnet turns of 100 in / 20 out tokens: $0.0006 each, over 300 messages and 30 sessions.
    expect(html).toMatch(/task-kill \(hardened\)<\/th><td>measured \(each turn at its model&#39;s price\)<\/td><td>by model<\/td><td>\$0.1800<\/td><td>100,000<\/td><td>20,000<\/td><td>\$0.6000<\/td><td>1,000<\/td><td>200<\/td><td>\$0.0060<\/td>/);
    // The built-in engine counts by model; a k6 run only totals, so its lines are the bounds of the mix.
    expect(html).toMatch(/task-kill \(hardened\)<\/th><td>Claude 3 Sonnet \(its turns\)<\/td><td>\$3 \/ \$15<\/td><td>\$0.1800<\/td>/);
    expect(html).not.toMatch(/task-kill \(hardened\)<\/th><td>all at/);
    expect(html).toMatch(/jp-emoji \(hardened\)<\/th><td>all at Claude 3 Haiku prices<\/td><td>\$0.25 \/ \$1.25<\/td><td>\$0.0060<\/td>/);
    expect(html).toContain('<td>task-kill SIGKILL 1 of the fleet&#39;s workers every 8000 ms</td><td>at 5 s for 15 s</td>');
    expect(html).toContain('rounds=2<br>kills=2');
    expect(html).toMatch(/task-kill \(hardened\)<\/th><td><span class="badge pass">healthy<\/span><\/td><td>8 ms<\/td><td>12 %<\/td>/);
  });

  it('escapes every string from the summary: markup stays text, JP and emoji survive', () => {
    const html = renderReportHtml(runFolder([builtinSummary({ title: junk, errorExamples: [junk] })]), renderedAt);
    expect(html).not.toMatch(/<script|<b>/i);
    expect(html).toContain('メッセージが長すぎます 👩‍👩‍👧 &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;');
  });

  it('is one self-contained file: no script, nothing loaded from elsewhere', () => {
    const html = renderReportHtml(folder(), renderedAt);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|@import|url\(|@font-face/i);
    expect(html).toContain('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">');
    expect(html.match(/https?:\/\/[^"]+/g)?.every((url) => url === 'http://www.w3.org/2000/svg')).toBe(true);
  });
});
