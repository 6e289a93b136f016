#!/usr/bin/env node
// `npm run gameday`: sets the machine up (idempotent), then runs the main job.
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

// The main job: the local stack up (reused when one is already running) and a smoke check
// through the real clients. Later issues make it run the incident suite.
const status = spawnSync(process.execPath, [bin, 'stack', 'status', '--json'], { cwd: root, encoding: 'utf8' });
if (status.status !== 0) {
  const up = run(process.execPath, [bin, 'stack', 'up']);
  if (up !== 0) process.exit(up);
} else {
  console.log('gameday: a stack is already running; reusing it');
}
const smoke = run(process.execPath, [bin, 'smoke']);
if (smoke === 0) {
  console.log('\ngameday: the stack is up and answers. Next: `npx gameday stack status`, `npx gameday stack down`.');
}
process.exit(smoke);
