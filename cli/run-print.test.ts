import { describe, expect, it } from 'vitest';
import { errorLine, exitCodeOf, formatValue, resultJson, resultTable } from './run-print.js';
import { incidents } from '../scenarios/index.js';
import type { IncidentOutcome } from '../scenarios/run/run-incident.js';
import { RunError } from '../scenarios/run/run-errors.js';
import type { SuiteEntry } from '../scenarios/run/run-suite.js';

const flashSale = incidents.get('flash-sale')!;
const jpEmoji = incidents.get('jp-emoji')!;

function outcome(overrides: Partial<IncidentOutcome>): IncidentOutcome {
  return {
    incident: 'flash-sale', profile: 'hardened', naive: [], scale: 0.015, durationMs: 25_000, timeScale: 1,
    evidence: { ok: true, reasons: [] }, offered: null,
    thresholds: [
      { metric: 'session_context_lost', expression: 'count==0', ok: true, observed: 0 },
      { metric: 'chat_ttft', expression: 'p(95)<3000', ok: true, observed: 812.4, windowed: { windowMs: 10_000, windows: 5, failedWindows: 0, worst: 950 } },
      { metric: 'chat_errors', expression: 'rate<0.01', ok: true, observed: 0.004 },
    ],
    notEvaluated: [], passed: true, summaryPath: '/runs/flash-sale-hardened/summary.json',
    audit: { sessions: 1, acknowledged: 6, stored: 6, turnsLost: 0, turnsDuplicated: 0, outOfOrder: 0, unsigned: 0, examples: [] },
    generator: { cpuPercent: 10, eventLoopP99Ms: 12, saturated: false, reason: null }, faults: null,
    ...overrides,
  };
}

const held: SuiteEntry = { incident: flashSale, outcome: outcome({}), error: null };
const failed: SuiteEntry = {
  incident: flashSale,
  outcome: outcome({
    profile: 'naive', naive: ['redisOnlyStore'], passed: false,
    thresholds: [{ metric: 'session_context_lost', expression: 'count==0', ok: false, observed: 7 }],
    notEvaluated: [{ metric: 'session_turns_lost', expression: 'count==0', reason: 'a --target gives no access to its store' }],
  }),
  error: null,
};
const broken: SuiteEntry = { incident: jpEmoji, outcome: null, error: new RunError('GAMEDAY_ERR_FAULTS_FAILED', 'the fault timeline failed') };

describe('the run table', () => {
  it('shows each threshold with its measured value in the metric\'s terms and pass or FAIL', () => {
    const lines = resultTable([held, failed]).split('\n');
    expect(lines[0]).toMatch(/^incident +profile +threshold +value +result$/);
    expect(lines[1]).toMatch(/^flash-sale +hardened +session_context_lost count==0 +0 +pass$/);
    expect(lines[2]).toMatch(/^ +chat_ttft p\(95\)<3000 +812 ms +pass \(0\/5 windows failed\)$/);
    expect(lines[3]).toMatch(/^ +chat_errors rate<0.01 +0.40% +pass$/);
    expect(lines[4]).toMatch(/^flash-sale +naive \(redisOnlyStore\) +session_context_lost count==0 +7 +FAIL$/);
    expect(lines[5]).toMatch(/^ +session_turns_lost count==0 +- +not evaluated$/);
    expect(lines).toContain('note: flash-sale: not evaluated: a --target gives no access to its store');
  });

  it('says what a threshold means in real time where the model ran faster, and judged what', () => {
    const scaled = outcome({
      timeScale: 0.2,
      thresholds: [{ metric: 'chat_ttft', expression: 'p(95)<600', ok: false, observed: 700, realTime: { real: 'p(95)<3000', judged: 'p(95)<600', timeScale: 0.2 } }],
    });
    expect(resultTable([{ incident: flashSale, outcome: scaled, error: null }])).toMatch(/chat_ttft p\(95\)<3000 ms real = <600 ms at time-scale 0\.2 +700 ms +FAIL/);
  });

  it('says the plateau\'s offered and achieved load, and why a run is not evidence', () => {
    const notOffered = outcome({
      offered: { windowMs: 10_000, offered: [], achieved: [], plateau: { fromMs: 45_000, toMs: 150_000, firstWindow: 5, lastWindow: 14 }, plateauOffered: 3_500, plateauAchieved: 3_000 },
      evidence: { ok: false, reasons: ['the plateau achieved 3000 of the 3500 messages offered (85.7 %, under 95.0 %): the load it claims was not offered'] },
    });
    const lines = resultTable([{ incident: flashSale, outcome: notOffered, error: null }]).split('\n');
    expect(lines).toContain('load: flash-sale: plateau 45 s-150 s: offered 3500 messages (35.0 msg/s), achieved 3000 (30.0 msg/s, 85.7 %)');
    expect(lines).toContain('NOT EVIDENCE: flash-sale: the plateau achieved 3000 of the 3500 messages offered (85.7 %, under 95.0 %): the load it claims was not offered');
  });

  it('names a harness failure with its code', () => {
    const table = resultTable([broken]);
    expect(table).toMatch(/^jp-emoji +\(the harness failed: GAMEDAY_ERR_FAULTS_FAILED\) +- +ERROR$/m);
    expect(errorLine(broken)).toBe('gameday: GAMEDAY_ERR_FAULTS_FAILED: jp-emoji: the fault timeline failed');
    expect(errorLine({ incident: jpEmoji, outcome: null, error: new Error('boom') })).toMatch(/^gameday: jp-emoji: unexpected failure: Error: boom\n/);
  });

  it('formats values by metric type', () => {
    expect(formatValue('chat_turn_duration', 1234.56)).toBe('1235 ms');
    expect(formatValue('ws_connect_failures', 0.125)).toBe('12.50%');
    expect(formatValue('llm_input_tokens_per_turn', 5821.2)).toBe('5821.2');
    expect(formatValue('ws_reconnects', 3)).toBe('3');
    expect(formatValue('chat_ttft', null)).toBe('-');
  });
});

describe('the exit code (k6\'s convention)', () => {
  it('is 0 when every gate held, 99 when one failed, 1 when the harness failed (it outranks a failed gate)', () => {
    expect(exitCodeOf([held])).toBe(0);
    expect(exitCodeOf([held, failed])).toBe(99);
    expect(exitCodeOf([failed, broken])).toBe(1);
    expect(exitCodeOf([])).toBe(1);
  });

  it('is 1, never 0, for a run that is not evidence: its gates held on load it did not offer', () => {
    const saturated = outcome({ evidence: { ok: false, reasons: ['the load generator was saturated (CPU 97 % of one core)'] } });
    expect(exitCodeOf([{ incident: flashSale, outcome: saturated, error: null }])).toBe(1);
    expect(exitCodeOf([held, { incident: flashSale, outcome: { ...saturated, passed: false }, error: null }])).toBe(1);
  });

  it('is in the JSON with every outcome and error', () => {
    const json = resultJson([held, broken], '/runs/x') as { runDir: string; exitCode: number; incidents: object[] };
    expect(json).toMatchObject({ runDir: '/runs/x', exitCode: 1 });
    expect(json.incidents[0]).toMatchObject({ incident: 'flash-sale', passed: true, error: null });
    expect(json.incidents[1]).toEqual({ incident: 'jp-emoji', error: { code: 'GAMEDAY_ERR_FAULTS_FAILED', message: 'the fault timeline failed' } });
  });
});
