import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** What a program needs at run time, found by walking its imports from the entry file. */
export interface ImportGraph {
  /** Repository paths of the local files it loads or reads (the entry included), sorted. */
  files: string[];
  /** npm packages it imports at run time (type-only imports are erased, so left out), sorted. */
  packages: string[];
}

/** The specifiers a module loads at run time, and the files it reads as `new URL('./x', import.meta.url)`. */
function runtimeReferences(path: string): { specifiers: string[]; urls: string[] } {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, false);
  const specifiers: string[] = [];
  const urls: string[] = [];
  const isImportMetaUrl = (node: ts.Node) => ts.isPropertyAccessExpression(node) && node.name.text === 'url'
    && ts.isMetaProperty(node.expression) && node.expression.keywordToken === ts.SyntaxKind.ImportKeyword;
  const visit = (node: ts.Node): void => {
    // `import type` and `export type` are erased; an `import { type A }` stays (verbatimModuleSyntax).
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteralLike(argument)) specifiers.push(argument.text);
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL') {
      const [target, base] = node.arguments ?? [];
      if (target && base && ts.isStringLiteralLike(target) && target.text.startsWith('.') && isImportMetaUrl(base)) urls.push(target.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { specifiers, urls };
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0] as string;
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(packageName(specifier));
}

/** './x.js' → the .ts beside it when that is what exists (NodeNext imports name the emitted file). */
function resolveLocal(from: string, specifier: string): string {
  const target = resolve(dirname(from), specifier);
  if (specifier.endsWith('.js') && existsSync(target.replace(/\.js$/, '.ts'))) return target.replace(/\.js$/, '.ts');
  if (existsSync(target)) return target;
  throw new Error(`${from} imports "${specifier}", which does not exist`);
}

/** Walks every run-time import (static, re-export, dynamic) and `new URL(…, import.meta.url)` file from `entry`. */
export function importGraph(root: string, entry: string): ImportGraph {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [join(root, entry)];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    const repoPath = relative(root, file);
    if (files.has(repoPath)) continue;
    files.add(repoPath);
    if (!/\.[cm]?ts$/.test(file)) continue;
    const { specifiers, urls } = runtimeReferences(file);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) pending.push(resolveLocal(file, specifier));
      else if (!isBuiltin(specifier)) packages.add(packageName(specifier));
    }
    for (const url of urls) {
      const target = resolve(dirname(file), url);
      // A folder URL (a place to write to) is not something the program loads.
      if (existsSync(target) && statSync(target).isFile()) pending.push(target);
    }
  }
  return { files: [...files].sort(), packages: [...packages].sort() };
}
