import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { incidentIds } from './incident.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

interface ImportLine { specifier: string; typeOnly: boolean }

/** Every static import and re-export of a source file, and whether it is type-only. */
function importsOf(source: string): ImportLine[] {
  const found: ImportLine[] = [];
  const statement = /^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (let match = statement.exec(source); match !== null; match = statement.exec(source)) {
    found.push({ specifier: match[2] as string, typeOnly: match[1] !== undefined });
  }
  return found;
}

/** Why a file of scenarios/ is not pure, if it is not: what it imports at run time that it may not. */
function impurities(file: string, source: string, allowed: (target: string) => boolean): string[] {
  const problems: string[] = [];
  if (/\brequire\s*\(|\bimport\s*\(/.test(source)) problems.push(`${file}: a require() or dynamic import()`);
  for (const { specifier, typeOnly } of importsOf(source)) {
    if (typeOnly) continue;
    if (specifier.startsWith('node:')) problems.push(`${file}: imports ${specifier}`);
    else if (!specifier.startsWith('.')) {
      if (!allowed(specifier)) problems.push(`${file}: imports the package ${specifier}`);
    } else {
      const target = relative(root, resolve(dirname(join(root, file)), specifier)).replace(/\\/g, '/').replace(/\.js$/, '.ts');
      if (!allowed(target)) problems.push(`${file}: imports ${target} at run time`);
    }
  }
  return problems;
}

const sourcesIn = (folder: string) => readdirSync(join(root, folder))
  .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts'))
  .map((name) => `${folder}/${name}`);

const insideScenarios = (target: string) => target.startsWith('scenarios/') && !target.startsWith('scenarios/run/');
// Pure modules of the engine the k6 scripts reuse, so both engines record a turn, plan the
// offered load, scale a latency gate and hear an answer alike.
const pureEngine = new Set([
  'engine/backoff.ts', 'engine/turn-metrics.ts', 'engine/llm-cost.ts', 'engine/metrics/definitions.ts',
  'engine/arrivals.ts', 'engine/offered-load.ts', 'engine/latency-scale.ts', 'engine/turn-answer.ts',
]);

const incidentRule = (target: string) => insideScenarios(target) || target === 'stack/random.ts';
const k6Rule = (target: string) => incidentRule(target) || pureEngine.has(target) || target === 'k6' || target.startsWith('k6/');

describe('purity: incident files run in Node and inside k6 alike', () => {
  it('the checker flags node: imports, runtime imports of chaos/ and stack/, and packages, but not type imports', () => {
    const source = [
      "import { readFileSync } from 'node:fs';",
      "import { startStack } from '../stack/stack.js';",
      "import { natDropFault } from '../chaos/faults/nat-drop.js';",
      "import { Redis } from 'ioredis';",
      "import type { FaultTargets } from '../chaos/faults/fault.js';",
      "import { seededRandom } from '../stack/random.js';",
    ].join('\n');
    expect(impurities('scenarios/bad.ts', source, incidentRule)).toEqual([
      'scenarios/bad.ts: imports node:fs',
      'scenarios/bad.ts: imports stack/stack.ts at run time',
      'scenarios/bad.ts: imports chaos/faults/nat-drop.ts at run time',
      'scenarios/bad.ts: imports the package ioredis',
    ]);
  });

  it('has one file per incident', () => {
    const files = new Set(sourcesIn('scenarios'));
    for (const id of incidentIds) expect(files.has(`scenarios/${id}.ts`), id).toBe(true);
  });

  it('incident files and their kit import nothing but each other, stack/random.ts and types', () => {
    const files = [...sourcesIn('scenarios'), ...sourcesIn('scenarios/kit')];
    expect(files.length).toBeGreaterThan(incidentIds.length);
    const problems = files.flatMap((file) => impurities(file, readFileSync(join(root, file), 'utf8'), incidentRule));
    expect(problems).toEqual([]);
  });

  it('the k6 scripts add only k6 modules and the pure parts of the engine', () => {
    const files = [...sourcesIn('scenarios/k6'), ...sourcesIn('scenarios/k6/lib')];
    const problems = files.flatMap((file) => impurities(file, readFileSync(join(root, file), 'utf8'), k6Rule));
    expect(problems).toEqual([]);
    for (const engineFile of pureEngine) {
      const source = readFileSync(join(root, engineFile), 'utf8');
      expect(impurities(engineFile, source, (target) => pureEngine.has(target) || target === 'stack/random.ts'), engineFile).toEqual([]);
    }
  });
});
