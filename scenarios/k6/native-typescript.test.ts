import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// k6 v0.57+ runs these entries as TypeScript (`k6 run scenarios/k6/flash-sale.ts`): it strips the
// types of each file and loads every import by its literal path, as a browser does. There is no
// `.js` → `.ts` mapping as in tsc or tsx, so each file k6 loads names its imports by their real file.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const entryDir = join(root, 'scenarios', 'k6');
const runtimeImport = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\s+from\s+)?['"](\.[^'"]+)['"]/gm;

/** Relative imports k6 follows (type-only ones are stripped before loading). */
function relativeImportsOf(source: string): string[] {
  return [...source.matchAll(runtimeImport)].map((match) => match[1] as string);
}

/** Each file k6 loads from `entries`, and each import in it that names no existing file. */
function walkAsK6(entries: string[], read: (file: string) => string, exists: (file: string) => boolean) {
  const loaded = new Set<string>();
  const unresolved: string[] = [];
  const queue = [...entries];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (loaded.has(file)) continue;
    loaded.add(file);
    for (const specifier of relativeImportsOf(read(file))) {
      const target = resolve(dirname(file), specifier);
      if (exists(target)) queue.push(target);
      else unresolved.push(`${relative(root, file)} imports '${specifier}', which is not a file`);
    }
  }
  return { loaded: [...loaded].map((file) => relative(root, file)), unresolved };
}

const entries = readdirSync(entryDir)
  .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts'))
  .map((name) => join(entryDir, name));

describe('k6 entries as native TypeScript', () => {
  it('the walk flags an import written for tsc (.js naming a .ts file) and follows one that names the file', () => {
    const sources: Record<string, string> = {
      [join(entryDir, 'x.ts')]: "import { a } from './lib/a.js';\nimport type { T } from './lib/t.js';\nimport { b } from './lib/b.ts';",
      [join(entryDir, 'lib', 'b.ts')]: 'export const b = 1;',
    };
    const walked = walkAsK6([join(entryDir, 'x.ts')], (file) => sources[file] ?? '', (file) => file in sources);
    expect(walked.unresolved).toEqual(["scenarios/k6/x.ts imports './lib/a.js', which is not a file"]);
    expect(walked.loaded).toEqual(['scenarios/k6/x.ts', 'scenarios/k6/lib/b.ts']);
  });

  it('no file k6 loads calls String.prototype.repeat, which k6 v0.49 gets wrong for non-ASCII text', () => {
    const code = (file: string) => readFileSync(join(root, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const walked = walkAsK6(entries, (file) => readFileSync(file, 'utf8'), existsSync);
    const callers = walked.loaded.filter((file) => /\.repeat\(/.test(code(file)));
    expect(callers, 'use repeatText (scenarios/kit/unicode-payloads.ts)').toEqual([]);
  });

  it('every file an entry loads names its imports by their real file, so k6 finds them', () => {
    expect(entries.length).toBe(8);
    const walked = walkAsK6(entries, (file) => readFileSync(file, 'utf8'), existsSync);
    expect(walked.unresolved).toEqual([]);
    // The walk reached the shared definitions, not only the entries.
    expect(walked.loaded).toEqual(expect.arrayContaining(['scenarios/flash-sale.ts', 'scenarios/kit/load-kit.ts', 'stack/random.ts', 'engine/turn-metrics.ts']));
  });
});
