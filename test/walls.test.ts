import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => join(root, folder, file));
}

/** Relative imports of a file, resolved to repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)]
    .map((match) => relative(root, resolve(dirname(file), match[1] as string)));
}

// DESIGN.md's walls: the service deploys alone; the stack starts it as processes, never imports it.
describe('import walls', () => {
  it('service/ imports nothing outside service/', () => {
    const crossings = sourceFiles('service').flatMap((file) =>
      importsOf(file).filter((target) => !target.startsWith('service/')).map((target) => `${relative(root, file)} -> ${target}`));
    expect(crossings).toEqual([]);
  });

  it('chaos/ imports nothing from service/, engine/, scenarios/ or cli/ (a fault only applies and reverts)', () => {
    const crossings = sourceFiles('chaos').flatMap((file) =>
      importsOf(file).filter((target) => /^(service|engine|scenarios|cli)\//.test(target)).map((target) => `${relative(root, file)} -> ${target}`));
    expect(crossings).toEqual([]);
  });

  it('engine/ imports nothing from service/, scenarios/, chaos/ or cli/ (it knows no incident)', () => {
    const crossings = sourceFiles('engine').flatMap((file) =>
      importsOf(file).filter((target) => /^(service|scenarios|chaos|cli)\//.test(target)).map((target) => `${relative(root, file)} -> ${target}`));
    expect(crossings).toEqual([]);
  });

  it('stack/ never imports service/', () => {
    const crossings = sourceFiles('stack').flatMap((file) =>
      importsOf(file).filter((target) => target.startsWith('service/')).map((target) => `${relative(root, file)} -> ${target}`));
    expect(crossings).toEqual([]);
  });
});
