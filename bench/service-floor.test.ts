import { describe, expect, it } from 'vitest';
import {
  addedTargetLine, ceilingLine, comparisonRate, comparisonTable, cpuPerMessage, cpuRatio, cpuTargetLine, summaryParityNote,
} from './service-floor.js';
import { spread } from './service-stats.js';

describe('the service against its floor', () => {
  it('divides each part by the acknowledged messages and sums the whole stack', () => {
    const cpu = cpuPerMessage({ server: 3_000, dynamodb: 1_000, generator: 500 }, 200);
    expect(cpu.server).toBe(15);
    expect(cpu.parts).toEqual({ server: 15, dynamodb: 5, generator: 2.5 });
    expect(cpu.stack).toBe(22.5);
  });

  it('has no figures when no message was acknowledged', () => {
    const cpu = cpuPerMessage({ server: 3_000 }, 0);
    expect(cpu.server).toBeNaN();
    expect(cpuTargetLine(cpu.server, 10)).toMatch(/n\/a.*not measured$/);
  });

  it('meets the CPU target at 1.5x the floor and misses it above', () => {
    expect(cpuRatio(15, 10)).toBe(1.5);
    expect(cpuTargetLine(15, 10)).toBe("target: the service's CPU per message ≤ 1.5x the floor's: 1.50x (15.00 vs 10.00 ms): met");
    expect(cpuTargetLine(15.2, 10)).toMatch(/1\.52x .*: MISSED$/);
    expect(cpuRatio(15, 0)).toBeNaN();
  });

  it('judges the added p95 against 30 ms, and says when nothing was matched', () => {
    expect(addedTargetLine(spread([10, 20, 29.9]), 20, 'half the highest rate held here, 40 msg/s'))
      .toBe("target: the service's added p95 < 30 ms at 20 msg/s (half the highest rate held here, 40 msg/s): 29.9 ms: met");
    expect(addedTargetLine(spread([10, 30]), 20, 'x')).toMatch(/30\.0 ms: MISSED$/);
    expect(addedTargetLine(spread([]), 20, 'x')).toMatch(/n\/a ms: not measured$/);
  });

  it('compares at half the knee when one is given, else at half the highest rate held', () => {
    expect(comparisonRate({ knee: 45, highestHeld: 30, firstStep: 10 })).toEqual({ rate: 22, basis: 'half the knee given with --knee 45' });
    expect(comparisonRate({ knee: undefined, highestHeld: 30, firstStep: 10 }).rate).toBe(15);
    expect(comparisonRate({ knee: undefined, highestHeld: undefined, firstStep: 10 }))
      .toEqual({ rate: 5, basis: 'half the first step, 10 msg/s, which did not hold' });
    expect(comparisonRate({ knee: undefined, highestHeld: 1, firstStep: 1 }).rate).toBe(1);
  });

  it('tables each part with its share of the whole stack, and the summaries per message', () => {
    const service = { cpu: cpuPerMessage({ server: 2_000, dynamodb: 2_000 }, 100), summaryCalls: 60 };
    const floor = { cpu: cpuPerMessage({ server: 1_000, dynamodb: 1_000 }, 100), summaryCalls: 62 };
    const lines = comparisonTable(service, floor, [['server', 'the server measured'], ['dynamodb', 'DynamoDB Local']]);
    expect(lines[1]).toMatch(/^the server measured\s+20\.00 ms\s+\(50%\)\s+10\.00 ms\s+\(50%\)$/);
    expect(lines.find((line) => line.startsWith('whole stack'))).toMatch(/40\.00 ms\s+20\.00 ms$/);
    expect(lines.at(-1)).toMatch(/0\.60\s+0\.62$/);
  });

  it('notes when the two made different numbers of summaries per message', () => {
    const phase = (summaryCalls: number) => ({ cpu: cpuPerMessage({ server: 1_000 }, 100), summaryCalls });
    expect(summaryParityNote(phase(60), phase(55))).toBeNull();
    expect(summaryParityNote(phase(0), phase(0))).toBeNull();
    expect(summaryParityNote(phase(15), phase(63))).toBe('NOTE: the service made 0.15 summaries per message and the floor 0.63:'
      + ' the CPU per message does not compare like with like');
  });

  it('caps the rate where the whole stack fills every core', () => {
    const service = cpuPerMessage({ server: 4_000 }, 100);
    const floor = cpuPerMessage({ server: 2_000 }, 100);
    expect(ceilingLine(service, floor, 2)).toMatch(/near 50 msg\/s with the service \(40\.0 ms per message\), near 100 msg\/s with the floor/);
  });
});
