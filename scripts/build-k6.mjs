#!/usr/bin/env node
// `npm run build:k6 [-- --outdir DIR]`: bundles each incident's k6 entry (scenarios/k6/<id>.ts)
// into one CommonJS file per incident (scenarios/k6/dist/<id>.js by default, git-ignored), as
// k6 v0.49 needs it: it runs neither TypeScript nor ES modules past ES2017. k6's own modules
// stay require()s; k6/timers becomes a run-time choice between k6/timers (k6 v0.50+) and
// k6/experimental/timers (older k6, which current k6 no longer has), so one bundle runs on both.
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { timersCompat } from './k6-timers-compat.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entryDir = join(root, 'scenarios', 'k6');

function outdirFromArgs(args) {
  const at = args.indexOf('--outdir');
  if (at < 0) return join(entryDir, 'dist');
  const value = args[at + 1];
  if (!value) {
    console.error('build-k6: --outdir needs a folder');
    process.exit(1);
  }
  return resolve(value);
}

const entries = readdirSync(entryDir)
  .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts'))
  .sort();
const outdir = outdirFromArgs(process.argv.slice(2));

try {
  await build({
    entryPoints: entries.map((name) => join(entryDir, name)),
    outdir,
    bundle: true,
    format: 'cjs',
    target: 'es2020',
    platform: 'neutral',
    external: ['k6', 'k6/*'],
    plugins: [timersCompat],
    logLevel: 'warning',
  });
} catch {
  // esbuild has printed what went wrong.
  process.exit(1);
}
console.log(`build-k6: ${entries.length} scripts in ${outdir}: ${entries.map((name) => name.replace(/\.ts$/, '.js')).join(', ')}`);
