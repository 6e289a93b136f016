import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderJunit } from './junit.js';
import { readRunFolder } from './run-folder.js';
import { builtinSummary, junk, k6ShapedSummary, writeRunFolder } from './test/fixtures.js';
import { findAll, parseXml, type XmlElement } from './test/xml-reader.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function junitOf(summaries: Parameters<typeof writeRunFolder>[1]): string {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-junit-'));
  dirs.push(dir);
  return renderJunit(readRunFolder(writeRunFolder(dir, summaries)));
}

describe('junit.xml', () => {
  it('has one testsuite per incident-profile and one testcase per threshold; failures carry the measured value and the threshold', () => {
    const xml = junitOf([
      builtinSummary({ profile: 'hardened' }),
      builtinSummary({ profile: 'naive', ttftP95ByWindowMs: [900, 4200, 5000], errors: 12, contextLost: 3 }),
      k6ShapedSummary(),
    ]);
    const root = parseXml(xml);
    expect(root.name).toBe('testsuites');
    expect(root.attributes).toMatchObject({ tests: '13', failures: '5', errors: '0', skipped: '0' });
    const suites = findAll(root, 'testsuite');
    expect(suites.map((suite) => suite.attributes.name)).toEqual(['jp-emoji-hardened', 'task-kill-hardened', 'task-kill-naive']);
    const naive = suites[2] as XmlElement;
    expect(naive.attributes).toMatchObject({ tests: '5', failures: '4', errors: '0', skipped: '0', time: '30.000', timestamp: '2027-01-15T08:00:00' });
    expect(findAll(naive, 'testcase').map((testcase) => testcase.attributes.name)).toEqual([
      'chat_ttft p(95)<3000', 'chat_ttft p(95)<3000 (every 10s window)', 'chat_errors rate<0.01', 'session_context_lost count==0', 'chat_messages count>0',
    ]);
    const failures = findAll(naive, 'failure').map((failure) => failure.attributes.message);
    expect(failures).toContain('measured 4.00%, threshold chat_errors rate<0.01');
    expect(failures).toContain('measured 3, threshold session_context_lost count==0');
    expect(failures.find((message) => message?.includes('windows'))).toMatch(/^measured \d+ ms, threshold chat_ttft p\(95\)<3000; 2 of 3 windows of 10 s failed, worst \d+ ms$/);
    expect(findAll(suites[1] as XmlElement, 'failure')).toEqual([]);
    const properties = Object.fromEntries(findAll(naive, 'property').map((property) => [property.attributes.name, property.attributes.value]));
    expect(properties).toMatchObject({ incident: 'task-kill', profile: 'naive', engine: 'builtin', seed: '1' });
    // k6's verdict stands: its own ok false, the value from its summary.
    expect(findAll(suites[0] as XmlElement, 'failure').map((failure) => failure.attributes.message)).toEqual(['measured 3300 ms, threshold chat_ttft p(95)<3000']);
  });

  it('reports thresholds the run could not judge as skipped, with the reason', () => {
    const root = parseXml(junitOf([builtinSummary({ notEvaluated: true })]));
    const skipped = findAll(root, 'testcase').filter((testcase) => findAll(testcase, 'skipped').length > 0);
    expect(skipped.map((testcase) => testcase.attributes.name)).toEqual(['session_turns_lost count==0', 'session_turns_duplicated count==0']);
    expect(findAll(skipped[0] as XmlElement, 'skipped')[0]?.attributes.message).toBe('not evaluated: a --target gives no access to its DynamoDB table');
    expect(root.attributes.skipped).toBe('2');
    expect(findAll(root, 'testsuite')[0]?.attributes.skipped).toBe('2');
  });

  it('stays well-formed with payload junk: markup, quotes, JP, emoji and control characters come back as text', () => {
    const xml = junitOf([builtinSummary({ title: `${junk}\nsecond line`, errors: 12 })]);
    const root = parseXml(xml);
    const title = findAll(root, 'property').find((property) => property.attributes.name === 'title')?.attributes.value;
    // The control character XML cannot hold becomes U+FFFD; everything else, line break included, round-trips.
    expect(title).toBe(`${junk.replace('\u0007', '\uFFFD')}\nsecond line`);
    expect(xml).not.toContain('<script');
  });
});

describe('the XML reader the junit tests rely on', () => {
  it('refuses what a CI parser refuses', () => {
    expect(parseXml('<a b="1"><c/>text &amp; more</a>').children).toHaveLength(1);
    for (const broken of ['<a>&</a>', '<a><b></a></b>', '<a b=1/>', '<a b="<"/>', '<a b="1" b="2"/>', '<a>&nope;</a>', '<a>\u0007</a>', '<a></a><b/>', '<a>']) {
      expect(() => parseXml(broken), broken).toThrow();
    }
  });
});
