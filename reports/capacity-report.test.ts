import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareCapacityRuns } from './capacity-compare.js';
import { readCapacityFolder, writeCapacityReport } from './capacity-report.js';
import { writeComparison } from './write-report.js';
import { CAPACITY_FORMAT, type CapacityFile, type CapacityStep } from '../scenarios/run/capacity-file.js';
import { bracketOf, capacityGates, judgeStep } from '../scenarios/run/capacity-judge.js';
import { judgeGeneratorHealth } from '../engine/self-monitor.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A step as capacity.json keeps it; `broken` raises the errors past the gate, `saturated` the generator's CPU. */
function step(rate: number, how: 'held' | 'broken' | 'saturated' = 'held'): CapacityStep {
  const generator = judgeGeneratorHealth(how === 'saturated' ? 97 : 30, 10);
  const errors = { hits: how === 'broken' ? 30 : 0, total: rate * 30 };
  const judgement = judgeStep({
    windowMs: 10_000, judged: { first: 2, last: 4 }, offered: rate * 30, achieved: rate * 30, generator, errors,
    ttftWindows: [2, 3, 4].map((index) => ({ index, p95Ms: 800 + rate * 20, samples: rate * 10 })),
  });
  return {
    rate, sessionsPerSecond: rate / 3, judged: { fromMs: 20_000, toMs: 50_000, firstWindow: 2, lastWindow: 4 }, offered: rate * 30, achieved: rate * 30,
    messages: rate * 48, offeredPerWindow: [], achievedPerWindow: [], ttftMs: { p50: 500 + rate * 10, p95: 800 + rate * 20, p99: 1_000 + rate * 30 },
    errorRate: errors.hits / errors.total, generator, judgement, summary: `steps/${rate}/summary.json`,
    cpu: [{ name: 'service worker 1', pid: 11, cpuMs: rate * 600, percentOfCore: rate * 2, perMessageMs: 20 }, { name: 'redis-server', pid: 12, cpuMs: rate * 30, percentOfCore: rate * 0.1, perMessageMs: 1 }],
  };
}

function capacityFolder(runId: string, steps: CapacityStep[]): string {
  const parent = mkdtempSync(join(tmpdir(), 'gameday-capacity-report-'));
  dirs.push(parent);
  const dir = join(parent, runId);
  mkdirSync(dir);
  const last = steps.at(-1) as CapacityStep;
  const file: CapacityFile = {
    format: CAPACITY_FORMAT, runId, incident: 'steady-1m-day', title: 'steady', target: 'embedded stack', seed: 1, startedAt: 0, endedAt: 100_000, finished: true,
    settings: { rates: steps.map((each) => each.rate), holdMs: 50_000, warmupMs: 14_000, windowMs: 10_000, workers: 2, quotas: {}, timeScale: 1, meanTurnsPerSession: 3, meanSessionMs: 14_000 },
    gates: capacityGates, steps, notes: ['a note <b>escaped</b>'],
    bracket: { ...bracketOf(steps), busiest: last.judgement.verdict === 'held' ? null : { ...(last.cpu[0] as CapacityStep['cpu'][number]), rate: last.rate } },
  };
  writeFileSync(join(dir, 'capacity.json'), JSON.stringify(file));
  return dir;
}

describe('a capacity run folder', () => {
  it('renders the bracket, the curves against the offered rate and the CPU table, and junit per step', () => {
    const dir = capacityFolder('run-a', [step(10), step(20), step(30, 'broken')]);
    const { htmlPath, junitPath } = writeCapacityReport(dir, new Date(0));
    const html = readFileSync(htmlPath, 'utf8');
    expect(html).toContain('Knee: held 20 msg/s, broke at 30 msg/s on errors over the step');
    expect(html).toContain('Time to first token against the offered rate');
    expect(html).toContain('p99: 10 → 1300, 20 → 1600, 30 → 1900');
    expect(html).toMatch(/<tr class="regressed"><th scope="row">service worker 1<\/th><td>20 ms \(20 %\)/);
    expect(html).toContain('a note &lt;b&gt;escaped&lt;/b&gt;');
    const junit = readFileSync(junitPath, 'utf8');
    expect(junit).toMatch(/<testsuite name="capacity-steady-1m-day" tests="3" failures="1"/);
    expect(junit).toContain('<failure message="errors 3.33 % (30 of 900 turns');
  });

  it('refuses a capacity.json of another shape, naming the file', () => {
    const dir = capacityFolder('run-b', [step(10)]);
    writeFileSync(join(dir, 'capacity.json'), '{"format":"other"}');
    expect(() => readCapacityFolder(dir)).toThrow(/GAMEDAY_ERR|capacity\.json is not a readable capacity result/);
  });
});

describe('comparing two capacity runs', () => {
  const compare = (a: CapacityStep[], b: CapacityStep[], tolerance = 0.2) =>
    compareCapacityRuns(readCapacityFolder(capacityFolder('a', a)), readCapacityFolder(capacityFolder('b', b)), tolerance);

  it('regresses when the knee fell by more than the tolerance', () => {
    const fell = compare([step(10), step(20), step(30), step(40, 'broken')], [step(10), step(20), step(30, 'broken')]);
    expect(fell.regressed).toBe(true);
    expect(fell.rows[0]).toMatchObject({ metric: 'knee', change: 'worse beyond tolerance', a: { value: 30 }, b: { value: 20 } });
    expect(compare([step(10), step(20), step(30), step(40, 'broken')], [step(10), step(20), step(30), step(40, 'broken')]).regressed).toBe(false);
    expect(compare([step(10), step(20), step(30), step(40, 'broken')], [step(10), step(20), step(30, 'broken')], 0.5).regressed).toBe(false);
  });

  it('counts a first step that broke as a knee of 0, and a generator-bound B as no longer judged', () => {
    expect(compare([step(10), step(20, 'broken')], [step(10, 'broken')]).rows[0]).toMatchObject({ regressed: true, b: { value: 0, state: 'fail' } });
    expect(compare([step(10), step(20, 'broken')], [step(10), step(20, 'saturated')]).rows[0]).toMatchObject({ regressed: true, change: 'no longer judged' });
  });

  it('does not call a B that stopped at its own top step, still holding, a fall', () => {
    const stopped = compare([step(10), step(20), step(30, 'broken')], [step(10)]);
    expect(stopped.regressed).toBe(false);
    expect(stopped.notes.join(' ')).toContain('B stopped at its top step');
  });

  it('refuses to compare a capacity run with an incident run', () => {
    const capacity = capacityFolder('c', [step(10)]);
    const incident = mkdtempSync(join(tmpdir(), 'gameday-capacity-report-'));
    dirs.push(incident);
    expect(() => writeComparison(capacity, incident, { tolerance: 0.2 })).toThrow(/is a capacity run and .* is not/);
  });
});
