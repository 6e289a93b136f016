import type { Spread } from './service-stats.js';

export const addedP50TargetMicros = 100;

/** One path's figures in one toxic mode. */
export interface PathFigures {
  label: string;
  roundTrip: Spread;
  /** Percentiles of this path minus the same percentiles of the direct path, in µs; null for direct. */
  added: { p50: number; p99: number } | null;
  /** The median round's. */
  megabytesPerSecond: number;
  /** The slowest and fastest rounds': loopback throughput on a shared 2-core machine swings widely. */
  megabytesPerSecondRange: [number, number];
  /** The proxy process's CPU per GB carried; null for direct or where /proc is missing. */
  cpuMsPerGigabyte: number | null;
}

export interface ModeFigures {
  title: string;
  direct: PathFigures;
  ours: PathFigures;
  real: PathFigures | null;
}

const number = (value: number | null | undefined, digits = 1) =>
  (value === null || value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits));
const ratio = (ours: number | null | undefined, real: number | null | undefined) =>
  (ours === null || ours === undefined || real === null || real === undefined || !Number.isFinite(ours / real) || real <= 0
    ? '-' : `${(ours / real).toFixed(2)}x`);

const columns = ['rtt p50 µs', 'rtt p99 µs', 'added p50 µs', 'added p99 µs', 'MB/s', 'CPU ms/GB'];
const cells = (values: string[]) => values.map((value) => value.padStart(14)).join('');

function pathRow(figures: PathFigures): string {
  return `  ${figures.label.padEnd(26)}${cells([
    number(figures.roundTrip.p50), number(figures.roundTrip.p99), number(figures.added?.p50), number(figures.added?.p99),
    number(figures.megabytesPerSecond), number(figures.cpuMsPerGigabyte, 0),
  ])}`;
}

export function printMode(mode: ModeFigures): void {
  console.log(`\n${mode.title.padEnd(28)}${cells(columns)}`);
  console.log(pathRow(mode.direct));
  console.log(pathRow(mode.ours));
  const paths = [mode.direct, mode.ours];
  if (mode.real) {
    console.log(pathRow(mode.real));
    const { ours, real } = mode;
    console.log(`  ${'ours / real'.padEnd(26)}${cells([
      ratio(ours.roundTrip.p50, real.roundTrip.p50), ratio(ours.roundTrip.p99, real.roundTrip.p99),
      ratio(ours.added?.p50, real.added?.p50), ratio(ours.added?.p99, real.added?.p99),
      ratio(ours.megabytesPerSecond, real.megabytesPerSecond), ratio(ours.cpuMsPerGigabyte, real.cpuMsPerGigabyte),
    ])}`);
    paths.push(real);
  }
  const ranges = paths.map((path) => `${path.label} ${number(path.megabytesPerSecondRange[0], 0)}-${number(path.megabytesPerSecondRange[1], 0)}`);
  console.log(`  MB/s slowest-fastest round: ${ranges.join(', ')}`);
}

/** The two targets, judged on every toxic mode; a missed one is reported, never fatal. */
export function printTargets(modes: ModeFigures[], realSkippedBecause: string | null, quick: boolean): void {
  console.log(`\ntargets (issue 5)${quick ? ', from --quick\'s one short round: a smoke check, too noisy to judge throughput' : ''}:`);
  for (const mode of modes) {
    const added = mode.ours.added?.p50 ?? Number.NaN;
    console.log(`  ${mode.title}: added p50 ${number(added)} µs < ${addedP50TargetMicros} µs: ${added < addedP50TargetMicros ? 'met' : 'MISSED'}`);
    if (mode.real) {
      const met = mode.ours.megabytesPerSecond >= mode.real.megabytesPerSecond;
      // Medians a few percent apart flip from run to run; say when the rounds overlap.
      const overlapping = mode.ours.megabytesPerSecondRange[1] >= mode.real.megabytesPerSecondRange[0];
      const verdict = met ? 'met' : `MISSED${overlapping ? ' (the rounds overlap: within this run\'s noise)' : ''}`;
      console.log(`  ${mode.title}: throughput ${number(mode.ours.megabytesPerSecond)} MB/s >= real ${number(mode.real.megabytesPerSecond)} MB/s: ${verdict}`);
    }
  }
  if (realSkippedBecause) console.log(`  throughput against the real Toxiproxy: not judged (${realSkippedBecause})`);
}
