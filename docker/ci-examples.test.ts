import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { reportFlags } from '../cli/report-command.js';
import { runFlags } from '../cli/run-options.js';
import { k6TrendStatsEnv } from '../dashboards/k6-naming.js';
import { incidents } from '../scenarios/index.js';
import type { Incident } from '../scenarios/incident.js';
import { settingsFromEnv } from '../scenarios/k6/lib/settings.js';
import { parseCompose } from './compose-file.js';
import { unreadVariables, variablesRead } from './env-reads.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Step { uses?: string; run?: string; if?: string; id?: string; with?: Record<string, unknown> }
const workflow = parse(read('.github/workflows/nightly.yml')) as { on: { schedule?: unknown[] }; jobs: Record<string, { steps: Step[] }> };
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const testRun = parse(read('scenarios/k6-operator/testrun.yaml')) as {
  apiVersion: string; kind: string;
  spec: {
    parallelism: number; arguments: string; script: { configMap: { name: string; file: string } };
    runner: { image: string; env: Array<{ name: string; value?: string }>; volumeMounts: Array<{ mountPath: string }> };
  };
};
const composeK6 = parseCompose(read('docker-compose.yml')).k6;

const versionOf = (image: string | undefined) => image?.split(':')[1];

describe('the nightly workflow example', () => {
  const gameday = steps.find((step) => step.run?.includes('npx gameday'));

  it('runs the nightly suite of every incident on k6 from the bundled scripts, nightly', () => {
    expect(workflow.on.schedule?.length).toBeGreaterThan(0);
    expect(gameday?.run).toContain('args=(run all --suite nightly --engine k6');
    expect(steps.some((step) => step.run?.includes('npm run build:k6'))).toBe(true);
    expect((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts['build:k6']).toBeDefined();
  });

  it('passes gameday run only flags it has', () => {
    const flags = [...(gameday?.run ?? '').matchAll(/--([a-z][a-z-]*)/g)].map((match) => match[1] as string);
    expect(flags.length).toBeGreaterThan(2);
    expect(flags.filter((flag) => !(flag in runFlags))).toEqual([]);
  });

  it('finds the capacity knee after the suite, uploads its run whatever happened, and fails the gate when it did not find one', () => {
    const capacity = steps.find((step) => step.run?.includes('npx gameday capacity'));
    expect(capacity?.run).toContain('npx gameday capacity --hold 60s');
    expect(capacity?.if).toBe('always()');
    expect(steps.indexOf(capacity as Step)).toBeGreaterThan(steps.indexOf(gameday as Step));
    const upload = steps.find((step) => step.uses?.startsWith('actions/upload-artifact') && step.with?.path === 'reports/capacity/');
    expect(capacity?.run).toContain('--out "reports/capacity/');
    expect(upload?.if).toBe('always()');
    expect(steps.at(-1)?.run).toMatch(/CAPACITY" in[\s\S]*99\).*exit 99/);
  });

  it('uploads reports/runs whatever happened, then fails the job on exit 99 and on 1', () => {
    const upload = steps.find((step) => step.uses?.startsWith('actions/upload-artifact'));
    expect(upload?.if).toBe('always()');
    expect(upload?.with?.path).toBe('reports/runs/');
    const gate = steps.at(-1);
    expect(gate?.if).toBe('always()');
    expect(gate?.run).toMatch(/99\).*exit 99/);
    expect(gate?.run).toMatch(/\*\).*exit 1/);
  });

  it('compares tonight with the last good night, with flags gameday report has, and fails the gate on a regression', () => {
    const compare = steps.find((step) => step.run?.includes('npx gameday report --compare'));
    const flags = [...(compare?.run ?? '').matchAll(/--([a-z][a-z-]*)/g)].map((match) => match[1] as string);
    expect(flags).toContain('compare');
    expect(flags.filter((flag) => !(flag in reportFlags))).toEqual([]);
    expect(compare?.run).toContain('"reports/runs/nightly-${GITHUB_RUN_ID}"');
    // Compared before the upload, so compare.html (written into tonight's folder) is in the artifact.
    const upload = steps.findIndex((step) => step.uses?.startsWith('actions/upload-artifact'));
    expect(steps.indexOf(compare as Step)).toBeLessThan(upload);
    expect(steps.at(-1)?.run).toMatch(/COMPARED" = 99.*exit 99/);
  });

  it('installs the k6 version that compose and the k6-operator example run', () => {
    const setup = steps.find((step) => step.uses?.startsWith('grafana/setup-k6-action'));
    expect(setup?.with?.['k6-version']).toBe(versionOf(composeK6?.image));
    expect(versionOf(testRun.spec.runner.image)).toBe(versionOf(composeK6?.image));
  });
});

describe('the k6-operator TestRun example', () => {
  it('is a TestRun on several pods of a bundled incident script from a ConfigMap', () => {
    expect(testRun.apiVersion).toBe('k6.io/v1alpha1');
    expect(testRun.kind).toBe('TestRun');
    expect(testRun.spec.parallelism).toBeGreaterThan(1);
    const id = testRun.spec.script.configMap.file.replace(/\.js$/, '');
    expect(incidents.has(id as Incident['id'])).toBe(true);
    expect(testRun.spec.arguments).toContain('experimental-prometheus-rw');
  });

  it('sets only settings the script reads, and writes one summary per pod where a volume is mounted', () => {
    const env = Object.fromEntries(testRun.spec.runner.env.filter((entry) => entry.value !== undefined).map((entry) => [entry.name, entry.value as string]));
    const scriptEnv = Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('K6_')));
    const incident = incidents.get(testRun.spec.script.configMap.file.replace(/\.js$/, '') as Incident['id']) as Incident;
    const { read: names } = variablesRead((e) => settingsFromEnv(incident, e), scriptEnv);
    expect(unreadVariables(names, scriptEnv)).toEqual([]);
    expect(env.SUMMARY_PATH).toContain('$(POD_NAME)');
    expect(testRun.spec.runner.env.map((entry) => entry.name).indexOf('POD_NAME')).toBeLessThan(testRun.spec.runner.env.map((entry) => entry.name).indexOf('SUMMARY_PATH'));
    expect(testRun.spec.runner.volumeMounts.some((mount) => env.SUMMARY_PATH?.startsWith(`${mount.mountPath}/`))).toBe(true);
    expect(env.K6_PROMETHEUS_RW_TREND_STATS).toBe(k6TrendStatsEnv);
  });
});
