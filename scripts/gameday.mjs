#!/usr/bin/env node
// `npm run gameday`: sets the machine up (idempotent), then runs the quick suite (`gameday run all --suite quick`).
// With arguments (`npm run gameday -- stack status`) it runs that gameday command instead.
// Plain JavaScript, because it runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'gameday.js');
const args = process.argv.slice(2);

function run(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const setup = run(process.execPath, [join(root, 'scripts', 'setup.mjs')]);
if (setup !== 0) process.exit(setup);

if (args.length > 0) process.exit(run(process.execPath, [bin, ...args]));

// The main job: the quick suite, every incident at its quick scale, one after another in one
// embedded stack (started and stopped by the run), each gated; exit 0 every gate held, 99 one
// failed, 1 the harness failed. The nightly suite (`--suite nightly`) is CI's, not this.
process.exit(run(process.execPath, [bin, 'run', 'all', '--suite', 'quick']));
