import type { Change, Comparison, Side } from './compare.js';
import type { CapacityFile } from '../scenarios/run/capacity-file.js';

type Folder = { dir: string; file: CapacityFile };

/** A run's knee as one comparable side: the highest step held; a generator-bound run measured no knee. */
function side(file: CapacityFile): Side {
  const { bracket } = file;
  if (bracket.outcome === 'generator-bound') return { state: 'not evaluated', value: null, shown: `- (generator saturated at ${bracket.generatorBound} msg/s)` };
  const shown = bracket.outcome === 'top-held' ? `≥ ${bracket.kneeRate} msg/s (every step held)`
    : bracket.outcome === 'below-first' ? `< ${bracket.broke} msg/s (the first step broke)`
      : `${bracket.kneeRate} msg/s (broke at ${bracket.broke}: ${bracket.gate?.gate ?? '?'})`;
  return { state: bracket.outcome === 'below-first' ? 'fail' : 'pass', value: bracket.kneeRate, shown };
}

function judge(a: CapacityFile, b: CapacityFile, sideA: Side, sideB: Side, tolerance: number): { change: Change; regressed: boolean } {
  if (sideA.value !== null && sideB.value === null) return { change: 'no longer judged', regressed: true };
  if (sideA.value === null || sideB.value === null) return { change: sideB.value === null ? 'same' : 'new in B', regressed: false };
  const fell = sideA.value - sideB.value;
  if (fell === 0) return { change: 'same', regressed: false };
  if (fell < 0) return { change: 'better', regressed: false };
  // B stopped at its own --max while still holding: its knee is only known to be above it.
  if (b.bracket.outcome === 'top-held') return { change: 'worse', regressed: false };
  const beyond = sideA.value === 0 || fell > tolerance * sideA.value;
  return { change: beyond ? 'worse beyond tolerance' : 'worse', regressed: beyond && a.bracket.outcome !== 'generator-bound' };
}

function notesOf(a: CapacityFile, b: CapacityFile): string[] {
  const notes: string[] = [];
  const fields: Array<[string, (file: CapacityFile) => unknown]> = [
    ['incident', (file) => file.incident], ['target', (file) => file.target], ['seed', (file) => file.seed],
    ['hold', (file) => `${file.settings.holdMs / 1000} s`], ['warm-up', (file) => `${Math.round(file.settings.warmupMs / 100) / 10} s`],
    ['steps', (file) => file.settings.rates.join(', ')], ['workers', (file) => file.settings.workers], ['quotas', (file) => JSON.stringify(file.settings.quotas)],
  ];
  const differ = fields.filter(([, of]) => JSON.stringify(of(a)) !== JSON.stringify(of(b))).map(([name, of]) => `${name} ${String(of(a))} → ${String(of(b))}`);
  if (differ.length > 0) notes.push(`the capacity runs ran differently: ${differ.join('; ')}`);
  if (b.bracket.outcome === 'top-held' && b.bracket.kneeRate < (a.bracket.held ?? 0)) {
    notes.push(`B stopped at its top step (${b.bracket.kneeRate} msg/s) with every step held, below A's knee: its own knee is not known`);
  }
  if (!a.finished || !b.finished) notes.push(`${!a.finished ? 'A' : 'B'}'s search did not finish`);
  return notes;
}

/**
 * Two capacity runs: did the knee (the highest step that held every gate) fall? B regressed when
 * its knee is lower than A's by more than the tolerance (of A's knee), or when A measured a knee
 * and B could not (its generator saturated). Steps are compared at the step size the runs used,
 * so one step down from a knee of 30 at steps of 10 is a third.
 */
export function compareCapacityRuns(a: Folder, b: Folder, tolerance: number): Comparison {
  const sideA = side(a.file);
  const sideB = side(b.file);
  const row = {
    entry: `capacity ${b.file.incident}`, metric: 'knee', threshold: '(highest step that held every gate)',
    a: sideA, b: sideB, ...judge(a.file, b.file, sideA, sideB, tolerance),
  };
  return {
    a: { dir: a.dir, runId: a.file.runId },
    b: { dir: b.dir, runId: b.file.runId },
    tolerance,
    regressed: row.regressed,
    rows: [row],
    notes: notesOf(a.file, b.file),
  };
}
