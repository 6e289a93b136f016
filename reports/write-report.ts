import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compareCapacityRuns } from './capacity-compare.js';
import { isCapacityFolder, readCapacityFolder } from './capacity-report.js';
import { type Comparison, compareRuns } from './compare.js';
import { renderCompareHtml } from './compare-html.js';
import { renderJunit } from './junit.js';
import { reportErrors } from './report-errors.js';
import { renderReportHtml } from './report-html.js';
import { type RunFolder, readRunFolder } from './run-folder.js';

export interface WrittenReport {
  run: RunFolder;
  htmlPath: string;
  junitPath: string;
}

/** Reads a run folder and writes its report.html and junit.xml into it. Throws a ReportError on a bad folder. */
export function writeRunReport(dir: string, now: Date = new Date()): WrittenReport {
  const run = readRunFolder(dir);
  let html: string;
  let junit: string;
  try {
    html = renderReportHtml(run, now);
    junit = renderJunit(run);
  } catch (error) {
    // The folder read cleanly, so what broke is data deeper than its checks look (an HDR histogram).
    throw reportErrors.renderFailed(run.dir, (error as Error).message);
  }
  const htmlPath = join(run.dir, 'report.html');
  const junitPath = join(run.dir, 'junit.xml');
  writeFileSync(htmlPath, html);
  writeFileSync(junitPath, junit);
  return { run, htmlPath, junitPath };
}

export interface CompareOptions {
  /** See Comparison.tolerance. */
  tolerance: number;
  /** Where compare.html (and compare.json) go; B's folder by default, as the newer run. */
  outDir?: string;
  json?: boolean;
  now?: Date;
}

export interface WrittenComparison {
  comparison: Comparison;
  htmlPath: string;
  jsonPath: string | null;
}

/** Two incident runs threshold by threshold, or two capacity runs by their knees; never one of each. */
function compareFolders(aDir: string, bDir: string, tolerance: number): Comparison {
  const [capacityA, capacityB] = [isCapacityFolder(aDir), isCapacityFolder(bDir)];
  if (capacityA !== capacityB) throw reportErrors.capacityWithIncidentRun(resolve(capacityA ? aDir : bDir), resolve(capacityA ? bDir : aDir));
  if (capacityA) return compareCapacityRuns(readCapacityFolder(aDir), readCapacityFolder(bDir), tolerance);
  return compareRuns(readRunFolder(aDir), readRunFolder(bDir), tolerance);
}

/** Compares run folder B with A and writes compare.html (and compare.json when asked). */
export function writeComparison(aDir: string, bDir: string, options: CompareOptions): WrittenComparison {
  const comparison = compareFolders(aDir, bDir, options.tolerance);
  const outDir = resolve(options.outDir ?? comparison.b.dir);
  mkdirSync(outDir, { recursive: true });
  const htmlPath = join(outDir, 'compare.html');
  writeFileSync(htmlPath, renderCompareHtml(comparison, options.now ?? new Date()));
  const jsonPath = options.json ? join(outDir, 'compare.json') : null;
  if (jsonPath) writeFileSync(jsonPath, `${JSON.stringify(comparison, null, 2)}\n`);
  return { comparison, htmlPath, jsonPath };
}
