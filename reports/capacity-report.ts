import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { capacityHeadline, renderCapacityHtml } from './capacity-html.js';
import { escapeXml } from './escape.js';
import { attributes } from './junit.js';
import { reportErrors } from './report-errors.js';
import { CAPACITY_FORMAT, type CapacityFile, capacityFileName } from '../scenarios/run/capacity-file.js';

/** Whether a folder is a `gameday capacity` run (it holds capacity.json). */
export function isCapacityFolder(dir: string): boolean {
  return existsSync(join(resolve(dir), capacityFileName));
}

/** capacity.json of a run folder, checked enough that the report and compare can trust its shape. */
export function readCapacityFolder(path: string): { dir: string; file: CapacityFile } {
  const dir = resolve(path);
  if (!existsSync(dir)) throw reportErrors.missingFolder(dir);
  const filePath = join(dir, capacityFileName);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(filePath, 'utf8'));
  } catch (error) {
    throw corrupt(filePath, (error as Error).message);
  }
  const file = parsed as Partial<CapacityFile> | null;
  if (file?.format !== CAPACITY_FORMAT) throw corrupt(filePath, `its format is ${JSON.stringify(file?.format)}, not ${CAPACITY_FORMAT}`);
  if (!Array.isArray(file.steps) || typeof file.bracket?.kneeRate !== 'number' || !file.settings) throw corrupt(filePath, 'it lacks steps, bracket or settings');
  return { dir, file: file as CapacityFile };
}

const corrupt = reportErrors.corruptCapacity;

/**
 * junit.xml of a capacity run: one testcase per step ("holds every gate"); the step that broke
 * fails with its gate and value (it is where the knee is), a generator-bound one is skipped.
 */
export function renderCapacityJunit(file: CapacityFile): string {
  const cases = file.steps.map((step) => {
    const head = `    <testcase${attributes({ classname: `gameday.capacity.${file.incident}`, name: `${step.rate} msg/s holds every gate`, time: String(file.settings.holdMs / 1000) })}`;
    const { verdict, firstBroken } = step.judgement;
    if (verdict === 'held') return `${head}/>`;
    if (verdict === 'generator-bound') return `${head}>\n      <skipped${attributes({ message: step.generator.reason ?? 'the load generator was saturated' })}/>\n    </testcase>`;
    const message = firstBroken ? firstBroken.detail : 'a gate broke';
    return `${head}>\n      <failure${attributes({ message, type: 'capacity' })}>${escapeXml(message)}</failure>\n    </testcase>`;
  });
  const failures = file.steps.filter((step) => step.judgement.verdict === 'broke').length;
  const skipped = file.steps.filter((step) => step.judgement.verdict === 'generator-bound').length;
  const suite = attributes({ name: `capacity-${file.incident}`, tests: cases.length, failures, errors: 0, skipped, time: ((file.endedAt - file.startedAt) / 1000).toFixed(3) });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attributes({ name: 'gameday capacity', tests: cases.length, failures, errors: 0, skipped })}>\n`
    + `  <testsuite${suite}>\n    <system-out>${escapeXml(capacityHeadline(file).text)}</system-out>\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}

/** Reads a capacity run folder and writes its report.html and junit.xml into it. */
export function writeCapacityReport(path: string, now: Date = new Date()): { dir: string; file: CapacityFile; htmlPath: string; junitPath: string } {
  const { dir, file } = readCapacityFolder(path);
  let html: string;
  let junit: string;
  try {
    html = renderCapacityHtml(file, dir, now);
    junit = renderCapacityJunit(file);
  } catch (error) {
    throw reportErrors.renderFailed(dir, (error as Error).message);
  }
  const htmlPath = join(dir, 'report.html');
  const junitPath = join(dir, 'junit.xml');
  writeFileSync(htmlPath, html);
  writeFileSync(junitPath, junit);
  return { dir, file, htmlPath, junitPath };
}
