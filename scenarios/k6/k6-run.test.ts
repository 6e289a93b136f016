import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBedrockEmulator, type RunningEmulator } from '../../stack/bedrock/server.js';
import { inheritedEnv } from '../../test/config.js';
import { startServiceDeps, type ServiceDeps } from '../../test/service-deps.js';
import { startFleet, type RunningFleet } from '../../test/service-fleet.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const k6 = spawnSync('k6', ['version'], { env: inheritedEnv, encoding: 'utf8', timeout: 10_000 });
const k6Version = k6.status === 0 ? k6.stdout.trim() : null;
if (k6Version === null) console.info('scenarios/k6/k6-run.test.ts skipped: k6 is not on PATH (install k6 to run the bundled scripts for real)');

describe.skipIf(k6Version === null)(`k6 run on a bundled script against the real service (${k6Version ?? 'no k6'})`, () => {
  let dir = '';
  let deps: ServiceDeps | null = null;
  let emulator: RunningEmulator | null = null;
  let fleet: RunningFleet | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gameday-k6-run-'));
    execFileSync(process.execPath, [join(root, 'scripts', 'build-k6.mjs'), '--outdir', join(dir, 'dist')], { cwd: root, stdio: 'pipe', timeout: 60_000 });
    deps = await startServiceDeps();
    emulator = await startBedrockEmulator({ timeScale: 0.1 });
    fleet = await startFleet(deps, emulator.url);
    await fleet.waitForWorkers(2);
  }, 120_000);

  afterAll(async () => {
    await fleet?.stop();
    await emulator?.close();
    await deps?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('jp-emoji at a tiny scale: k6 exits 0, its summary has our metrics and every gate held', async () => {
    const summaryPath = join(dir, 'summary.json');
    const settings = { BASE_URL: fleet?.baseUrl ?? '', WS_URL: fleet?.wsUrl ?? '', SCALE: '0.1', DURATION: '6s', SEED: '3', SUMMARY_PATH: summaryPath };
    const args = ['run', '--no-color', '--quiet', ...Object.entries(settings).flatMap(([key, value]) => ['-e', `${key}=${value}`]), join(dir, 'dist', 'jp-emoji.js')];
    const child = spawn('k6', args, { env: inheritedEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code, output).toBe(0);
    expect(existsSync(summaryPath)).toBe(true);
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as { metrics: Record<string, { values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }> };
    expect(summary.metrics.chat_messages?.values.count).toBeGreaterThanOrEqual(5);
    expect(summary.metrics.chat_ttft?.values['p(95)']).toBeGreaterThan(0);
    expect(summary.metrics.payload_check_failures?.thresholds?.['count==0']?.ok).toBe(true);
    expect(output).toContain('gameday jp-emoji (k6');
  }, 120_000);
});
