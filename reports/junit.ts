import { escapeXml } from './escape.js';
import { formatValue, profileLabel } from './format.js';
import type { RunEntry } from './run-entry.js';
import type { RunFolder } from './run-folder.js';
import { thresholdKey } from '../engine/summary.js';
import type { ThresholdResult } from '../engine/thresholds.js';

/** XML attributes, each value escaped. */
export const attributes = (pairs: Record<string, string | number>) =>
  Object.entries(pairs).map(([name, value]) => ` ${name}="${escapeXml(String(value))}"`).join('');

const seconds = (ms: number | null) => ((ms ?? 0) / 1000).toFixed(3);

/** What a failed threshold measured, in the metric's terms, against what it had to hold. */
export function failureMessage(entry: RunEntry, result: ThresholdResult): string {
  const windows = result.windowed
    ? `; ${result.windowed.failedWindows} of ${result.windowed.windows} windows of ${result.windowed.windowMs / 1000} s failed, worst ${formatValue(entry, result.metric, result.windowed.worst)}`
    : '';
  return `measured ${formatValue(entry, result.metric, result.observed)}, threshold ${result.metric} ${result.expression}${windows}`;
}

function testcase(entry: RunEntry, result: ThresholdResult): string {
  const head = `<testcase${attributes({ classname: `gameday.${entry.key}`, name: `${result.metric} ${thresholdKey(result)}`, time: '0' })}`;
  if (result.ok) return `${head}/>`;
  const message = failureMessage(entry, result);
  return `${head}>\n      <failure${attributes({ message, type: 'threshold' })}>${escapeXml(`${entry.incident} (${profileLabel(entry)}): ${message}`)}</failure>\n    </testcase>`;
}

/** The JUnit timestamp form (no zone, no fraction), which the schema and Jenkins accept. */
function timestamp(entry: RunEntry): string | null {
  return entry.snapshot ? new Date(entry.snapshot.startedAt).toISOString().slice(0, 19) : null;
}

function testsuite(entry: RunEntry): string {
  const failures = entry.thresholds.filter((result) => !result.ok).length;
  const stamp = timestamp(entry);
  const properties = Object.entries({
    incident: entry.incident, title: entry.title, profile: profileLabel(entry), engine: entry.engine,
    scale: entry.scale, seed: entry.seed, target: entry.target, summary: entry.summaryPath,
  }).filter((pair): pair is [string, string | number] => pair[1] !== null)
    .map(([name, value]) => `      <property${attributes({ name, value })}/>`);
  const cases = [
    ...entry.thresholds.map((result) => `    ${testcase(entry, result)}`),
    ...entry.notEvaluated.map((skipped) => `    <testcase${attributes({ classname: `gameday.${entry.key}`, name: `${skipped.metric} ${skipped.expression}`, time: '0' })}>`
      + `\n      <skipped${attributes({ message: `not evaluated: ${skipped.reason}` })}/>\n    </testcase>`),
  ];
  const out = entry.generator?.saturated ? `\n    <system-out>${escapeXml(entry.generator.reason ?? 'the load generator was saturated')}</system-out>` : '';
  return `  <testsuite${attributes({
    name: entry.key, tests: cases.length, failures, errors: 0, skipped: entry.notEvaluated.length, time: seconds(entry.runMs), ...(stamp ? { timestamp: stamp } : {}),
  })}>\n    <properties>\n${properties.join('\n')}\n    </properties>\n${cases.join('\n')}${out}\n  </testsuite>`;
}

/**
 * junit.xml for a run folder: one <testsuite> per incident-profile, one <testcase> per threshold
 * (named metric + expression); a failure carries the measured value and the threshold, a
 * threshold the run could not judge is <skipped> with the reason.
 */
export function renderJunit(run: RunFolder): string {
  const suites = run.entries.map(testsuite);
  const count = (pick: (entry: RunEntry) => number) => run.entries.reduce((sum, entry) => sum + pick(entry), 0);
  const totals = {
    name: `gameday ${run.runId}`,
    tests: count((entry) => entry.thresholds.length + entry.notEvaluated.length),
    failures: count((entry) => entry.thresholds.filter((result) => !result.ok).length),
    errors: 0,
    skipped: count((entry) => entry.notEvaluated.length),
    time: seconds(count((entry) => entry.runMs ?? 0)),
  };
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attributes(totals)}>\n${suites.join('\n')}\n</testsuites>\n`;
}
