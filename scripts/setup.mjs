#!/usr/bin/env node
// Idempotent set-up for a fresh machine: npm packages when missing or stale, and the two
// system packages the local stack runs (redis-server, a Java 17+ runtime for DynamoDB Local).
// Plain JavaScript with no dependencies, because it runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stampPath = join(root, 'node_modules', '.gameday-setup-stamp');
const quiet = process.argv.includes('--quiet');

function say(line) {
  if (!quiet) console.log(`setup: ${line}`);
}

function fail(line) {
  console.error(`setup: ${line}`);
  process.exit(1);
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 6)) {
    fail(`Node.js ${process.versions.node} is too old; gameday needs Node.js 20.6 or newer.`);
  }
}

function lockfileHash() {
  const lock = join(root, 'package-lock.json');
  if (!existsSync(lock)) fail('package-lock.json is missing; restore it from git before running set-up.');
  return createHash('sha256').update(readFileSync(lock)).digest('hex');
}

function ensureNodeModules() {
  const wanted = lockfileHash();
  const have = existsSync(stampPath) ? readFileSync(stampPath, 'utf8').trim() : '';
  if (have === wanted && existsSync(join(root, 'node_modules', '.bin', 'tsx'))) return;
  say(existsSync(join(root, 'node_modules')) ? 'node_modules is stale; running npm ci' : 'running npm ci');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) fail('npm ci failed (see above).');
  writeFileSync(stampPath, `${wanted}\n`);
}

function commandOutput(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) return null;
  return `${result.stdout}${result.stderr}`;
}

function javaMajor() {
  const out = commandOutput('java', ['-version']);
  const match = out?.match(/version "(\d+)(?:\.(\d+))?/);
  if (!match) return null;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
}

function missingSystemPackages() {
  const missing = [];
  if (commandOutput('redis-server', ['--version']) === null) missing.push('redis-server');
  const java = javaMajor();
  if (java === null || java < 17) missing.push('openjdk-17-jre-headless');
  return missing;
}

function ensureSystemPackages() {
  const missing = missingSystemPackages();
  if (missing.length === 0) return;
  const install = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    fail(`missing system packages: ${missing.join(', ')}. Install them with:\n  sudo apt-get update && sudo ${install}\nthen run this command again.`);
  }
  say(`installing ${missing.join(', ')} from Debian`);
  // RUNLEVEL=1 keeps the package's init script from starting a system-wide redis on 6379.
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', RUNLEVEL: '1' };
  const run = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
  if (!run(['update', '-qq'])) fail('apt-get update failed (see above).');
  if (!run(install.split(' ').slice(1))) fail(`${install} failed (see above).`);
  const still = missingSystemPackages();
  if (still.length > 0) fail(`still missing after install: ${still.join(', ')}.`);
}

checkNode();
ensureSystemPackages();
ensureNodeModules();
say('ready (node_modules current, redis-server and Java 17+ present)');
