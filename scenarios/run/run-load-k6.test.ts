import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { incidents } from '../index.js';
import { runIncident } from './run-incident.js';
import { k6WholeRunNote, runK6Load } from './run-load-k6.js';
import { judgeEvidence } from '../../engine/load-evidence.js';
import { startRunStack } from './run-stack.js';
import { inheritedEnv } from '../../test/config.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const jpEmoji = incidents.get('jp-emoji')!;
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-run-k6-'));
  dirs.push(dir);
  return dir;
}

/**
 * k6 may be absent (Debian has no package for it), so the harness's side of the k6 path runs against a
 * stand-in on PATH: it answers `k6 version`, records its arguments, and writes the summary a
 * handleSummary would (JSON.stringify(data)) to SUMMARY_PATH, then exits as k6 does (99: a
 * threshold failed). The real k6 runs below when it is on PATH.
 */
function standInK6(summary: object, exitCode: number): { env: NodeJS.ProcessEnv; argsFile: string } {
  const bin = tempDir();
  const argsFile = join(bin, 'args.json');
  writeFileSync(join(bin, 'k6'), `#!${process.execPath}
const { writeFileSync } = require('node:fs');
const args = process.argv.slice(2);
if (args[0] === 'version') { console.log('k6 v0.49.0 (stand-in)'); process.exit(0); }
writeFileSync(${JSON.stringify(argsFile)}, JSON.stringify(args));
const settings = Object.fromEntries(args.flatMap((arg, i) => args[i - 1] === '-e' ? [arg.split(/=(.*)/s).slice(0, 2)] : []));
writeFileSync(settings.SUMMARY_PATH, ${JSON.stringify(JSON.stringify(summary))});
process.exit(${exitCode});
`);
  chmodSync(join(bin, 'k6'), 0o755);
  return { env: { ...inheritedEnv, PATH: `${bin}:${dirname(process.execPath)}` }, argsFile };
}

const k6Summary = {
  metrics: {
    chat_ttft: { type: 'trend', contains: 'time', values: { avg: 500, min: 100, med: 450, max: 2000, 'p(90)': 900, 'p(95)': 1200, 'p(99)': 1900 } },
    chat_errors: { type: 'rate', contains: 'default', values: { rate: 0.02, passes: 2, fails: 98 }, thresholds: { 'rate<0.01': { ok: false } } },
    payload_check_failures: { type: 'counter', contains: 'default', values: { count: 0, rate: 0 }, thresholds: { 'count==0': { ok: true } } },
  },
  state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 31_000 },
  options: { summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'], summaryTimeUnit: '', noColor: false },
};

describe('the k6 engine (against a stand-in k6)', () => {
  it('runs k6 on the incident\'s bundled script with the settings, and judges the gate by k6\'s verdicts', async () => {
    const scripts = tempDir();
    writeFileSync(join(scripts, 'jp-emoji.js'), '// the bundle');
    const { env, argsFile } = standInK6(k6Summary, 99);
    const runDir = tempDir();
    const load = await runK6Load({
      incident: jpEmoji, profile: 'naive', scale: 0.3, durationMs: 25_000, seed: 7, runDir, scriptDir: scripts, childEnv: env,
      target: { http: 'http://127.0.0.1:1', ws: 'ws://127.0.0.1:1/v1/ws', carrierWs: 'ws://127.0.0.1:2/v1/ws' },
      signal: new AbortController().signal,
    });
    const args = JSON.parse(readFileSync(argsFile, 'utf8')) as string[];
    expect(args[0]).toBe('run');
    expect(args.at(-1)).toBe(join(scripts, 'jp-emoji.js'));
    for (const setting of ['BASE_URL=http://127.0.0.1:1', 'WS_URL=ws://127.0.0.1:1/v1/ws', 'CARRIER_WS_URL=ws://127.0.0.1:2/v1/ws',
      'SCALE=0.3', 'DURATION_MS=25000', 'SEED=7', `SUMMARY_PATH=${join(runDir, 'k6-summary.json')}`]) {
      expect(args[args.indexOf(setting) - 1], setting).toBe('-e');
    }
    expect(load.sessions).toBeNull();

    const gate = { payload_check_failures: ['count==0'], chat_errors: ['rate<0.01'], session_turns_lost: ['count==0'] };
    const { results, summary } = load.judge(gate, { session_turns_lost: 2 }, { incident: 'jp-emoji' });
    expect(results).toEqual([
      { metric: 'payload_check_failures', expression: 'count==0', ok: true, observed: 0 },
      { metric: 'chat_errors', expression: 'rate<0.01', ok: false, observed: 0.02 },
      expect.objectContaining({ metric: 'session_turns_lost', expression: 'count==0', ok: false, observed: 2 }),
    ]);
    expect(summary.gameday).toMatchObject({ engine: 'k6', incident: 'jp-emoji', thresholds: results, snapshot: null });
    expect(summary.metrics.chat_ttft?.values['p(95)']).toBe(1200);
  });

  it('a threshold k6 gave no verdict for fails, naming why', async () => {
    const scripts = tempDir();
    writeFileSync(join(scripts, 'jp-emoji.js'), '// the bundle');
    const { env } = standInK6({ ...k6Summary, metrics: { chat_ttft: k6Summary.metrics.chat_ttft } }, 0);
    const load = await runK6Load({
      incident: jpEmoji, profile: 'hardened', scale: 0.3, durationMs: 5_000, seed: 1, runDir: tempDir(), scriptDir: scripts, childEnv: env,
      target: { http: 'http://127.0.0.1:1', ws: 'ws://127.0.0.1:1/v1/ws' }, signal: new AbortController().signal,
    });
    const { results } = load.judge(jpEmoji.thresholds, {}, {});
    expect(results.every((result) => !result.ok && result.note === 'the k6 summary has no verdict for it')).toBe(true);
  });

  it('passes the shape and the time scale, judges the plateau\'s offered load from the script\'s own count, and says the windows are the built-in engine\'s', async () => {
    const steady = incidents.get('steady-1m-day')!;
    const scripts = tempDir();
    writeFileSync(join(scripts, 'steady-1m-day.js'), '// the bundle');
    const short = (count: number) => ({
      ...k6Summary,
      metrics: {
        chat_messages: { type: 'counter', contains: 'default', values: { count: 3_000, rate: 20 }, thresholds: { 'count>0': { ok: true } } },
        chat_ttft: { ...k6Summary.metrics.chat_ttft, thresholds: { 'p(95)<3000': { ok: true } } },
        chat_errors: { type: 'rate', contains: 'default', values: { rate: 0.001, passes: 3, fails: 2_997 }, thresholds: { 'rate<0.01': { ok: true } } },
        chat_plateau_messages: { type: 'counter', contains: 'default', values: { count, rate: 10 } },
      },
    });
    const options = {
      incident: steady, profile: 'hardened', scale: 1, durationMs: 60_000, shape: 'peak', timeScale: 1, seed: 1, runDir: tempDir(), scriptDir: scripts,
      target: { http: 'http://127.0.0.1:1', ws: 'ws://127.0.0.1:1/v1/ws' }, signal: new AbortController().signal,
    };
    const held = standInK6(short(1_500), 0);
    const load = await runK6Load({ ...options, childEnv: held.env });
    expect(JSON.parse(readFileSync(held.argsFile, 'utf8'))).toEqual(expect.arrayContaining(['SHAPE=peak', 'TIME_SCALE=1']));
    // The plan offers the 21:00 rate on the plateau (36-80 s): about 34.7 msg/s for 44 s.
    expect(load.offered?.plateauOffered).toBeGreaterThan(1_450);
    expect(load.offered?.plateauOffered).toBeLessThan(1_600);
    expect(load.offered?.plateauAchieved).toBe(1_500);
    expect(judgeEvidence(load.offered, null).ok).toBe(true);
    const { results } = load.judge(steady.thresholds, {}, {});
    expect(results.find((result) => result.metric === 'chat_ttft')).toMatchObject({ ok: true, note: k6WholeRunNote });
    expect(results.find((result) => result.metric === 'chat_errors')).toMatchObject({ ok: true, note: k6WholeRunNote });

    const starved = standInK6(short(900), 0);
    const notOffered = await runK6Load({ ...options, childEnv: starved.env });
    expect(judgeEvidence(notOffered.offered, null).reasons[0]).toMatch(/^the plateau achieved 900 of the \d+ messages offered/);
  });

  it('refuses clearly: no k6 on PATH, no bundled script, a k6 that fails', async () => {
    const common = {
      incident: jpEmoji, profile: 'hardened', scale: 0.3, durationMs: 5_000, seed: 1, runDir: tempDir(),
      target: { http: 'http://127.0.0.1:1', ws: 'ws://127.0.0.1:1/v1/ws' }, signal: new AbortController().signal,
    };
    await expect(runK6Load({ ...common, scriptDir: tempDir(), childEnv: { ...inheritedEnv, PATH: tempDir() } }))
      .rejects.toMatchObject({ code: 'GAMEDAY_ERR_K6_NOT_FOUND' });
    const { env } = standInK6(k6Summary, 0);
    await expect(runK6Load({ ...common, scriptDir: tempDir(), childEnv: env }))
      .rejects.toMatchObject({ code: 'GAMEDAY_ERR_K6_SCRIPT_MISSING', message: expect.stringContaining('npm run build:k6') });
    const scripts = tempDir();
    writeFileSync(join(scripts, 'jp-emoji.js'), '// the bundle');
    const broken = standInK6(k6Summary, 107);
    await expect(runK6Load({ ...common, scriptDir: scripts, childEnv: broken.env }))
      .rejects.toMatchObject({ code: 'GAMEDAY_ERR_K6_FAILED', message: expect.stringContaining('exit 107') });
  });
});

const realK6 = spawnSync('k6', ['version'], { env: inheritedEnv, encoding: 'utf8', timeout: 10_000 });
const realK6Version = realK6.status === 0 ? realK6.stdout.trim() : null;
if (realK6Version === null) console.info('scenarios/run/run-load-k6.test.ts: the real-k6 run is skipped: k6 is not on PATH (install k6 to run it)');

describe.skipIf(realK6Version === null)(`gameday run --engine k6 with the real k6 (${realK6Version ?? 'no k6'})`, () => {
  it('jp-emoji hardened, then task-kill naive, on the bundled scripts: the same gates hold and trip', async () => {
    const dir = tempDir();
    const scripts = join(dir, 'dist');
    mkdirSync(scripts);
    execFileSync(process.execPath, [join(root, 'scripts', 'build-k6.mjs'), '--outdir', scripts], { cwd: root, stdio: 'pipe', timeout: 60_000 });
    const stack = await startRunStack({ dir: join(dir, 'stack'), seed: 1, timeScale: jpEmoji.stack.timeScale, childEnv: inheritedEnv });
    const common = { seed: 1, engine: 'k6' as const, stack, stackSettings: { childEnv: inheritedEnv }, k6ScriptDir: scripts, outDir: join(dir, 'runs') };
    try {
      const emoji = await runIncident({ ...common, incident: jpEmoji, profile: 'hardened', scale: jpEmoji.quickScale, durationMs: 8_000 });
      expect(emoji.thresholds.find((result) => result.metric === 'payload_check_failures')).toMatchObject({ ok: true, observed: 0 });
      expect(emoji.audit).toHaveProperty('skipped');

      // Lost and duplicated turns: not audited from DynamoDB under k6, but judged from the script's own
      // count over the API; the worker kills lose the in-process sessions of naive inProcessSessions.
      const taskKill = incidents.get('task-kill')!;
      const killed = await runIncident({
        ...common, incident: taskKill, profile: 'naive', naive: [taskKill.naiveSwitch as string], scale: taskKill.quickScale, durationMs: taskKill.defaultDurationMs,
      });
      expect(killed.notEvaluated).toEqual([]);
      expect(killed.thresholds.map((result) => result.metric)).toEqual(expect.arrayContaining(['session_turns_lost', 'session_turns_duplicated']));
      expect(killed.thresholds.find((result) => result.metric === 'session_context_lost')).toMatchObject({ ok: false });
      expect(killed.passed).toBe(false);
    } finally {
      await stack.stop();
    }
  }, 300_000);
});
