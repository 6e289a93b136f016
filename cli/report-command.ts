import { parseFlags, type FlagSpec, stringFlag } from './args.js';
import { CliError, cliErrors } from './errors.js';
import { isCapacityFolder, writeCapacityReport } from '../reports/capacity-report.js';
import { ReportError } from '../reports/report-errors.js';
import { writeComparison, writeRunReport } from '../reports/write-report.js';

export const reportHelp = `Usage:
  gameday report <run-dir> [--json]
  gameday report --compare <run-dir A> <run-dir B> [--tolerance PCT] [--out DIR] [--json]

Renders a run folder (what \`gameday run --out DIR\` wrote) into DIR/report.html (one
self-contained page: the verdict, charts over time, latency histograms, LLM cost, the chaos
journal, the generator's health) and DIR/junit.xml (one testsuite per incident-profile, one
testcase per threshold). \`gameday run\` writes both itself; this re-renders them. A
\`gameday capacity\` folder (capacity.json) renders its bracket, TTFT and errors against the
offered rate, and the CPU per message of each process.

--compare compares run B with run A, threshold by threshold, and writes compare.html into
B's folder (or --out DIR). B regressed when a threshold went from pass to fail, was judged
in A but not in B, or got worse by more than the tolerance (relative to A's value, or to the
threshold's limit when A's was 0). Two capacity runs compare by their knee (the highest step
that held): B regressed when its knee fell by more than the tolerance of A's.

Options:
  --tolerance PCT   how much worse B may be before it counts as a regression (default 20)
  --out DIR         where compare.html goes (default: B's folder)
  --json            print the result as JSON (with --compare also writes compare.json)

Exit codes: 0 rendered (and, with --compare, no regression), 99 B regressed against A,
1 bad input (a missing folder, not a run folder, a corrupt summary.json: the message names it).
`;

export const reportFlags: FlagSpec = {
  compare: { type: 'boolean' },
  tolerance: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const DEFAULT_TOLERANCE_PERCENT = 20;

function toleranceFlag(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_TOLERANCE_PERCENT / 100;
  const match = /^(\d+(?:\.\d+)?)%?$/.exec(raw.trim());
  const percent = match ? Number(match[1]) : Number.NaN;
  if (!(percent >= 0 && percent <= 1000)) throw cliErrors.usage(`--tolerance must be a percentage from 0 to 1000 such as 20 or 20%, not "${raw}"`);
  return percent / 100;
}

/** A ReportError as the CLI's own error: `gameday: CODE: message`, exit 1, no stack trace. */
function asCliError(error: unknown): unknown {
  return error instanceof ReportError ? new CliError(error.code, error.message) : error;
}

function compare(positionals: string[], values: Record<string, string | boolean | undefined>): number {
  if (positionals.length !== 2) throw cliErrors.usage('--compare takes two run folders: A (before) and B (after)');
  const [a, b] = positionals as [string, string];
  const { comparison, htmlPath, jsonPath } = writeComparison(a, b, {
    tolerance: toleranceFlag(stringFlag(values, 'tolerance')), outDir: stringFlag(values, 'out'), json: values.json === true,
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...comparison, compareHtml: htmlPath, compareJson: jsonPath }, null, 2)}\n`);
  } else {
    const regressions = comparison.rows.filter((row) => row.regressed);
    for (const note of comparison.notes) process.stdout.write(`note: ${note}\n`);
    for (const row of regressions) process.stdout.write(`REGRESSED  ${row.entry}  ${row.metric} ${row.threshold}  ${row.a.shown} (${row.a.state}) -> ${row.b.shown} (${row.b.state}): ${row.change}\n`);
    process.stdout.write(`${regressions.length === 0 ? 'no regression' : `${regressions.length} regression(s)`}; compare: ${htmlPath}\n`);
  }
  return comparison.regressed ? 99 : 0;
}

function render(positionals: string[], json: boolean): number {
  if (positionals.length !== 1) throw cliErrors.usage('name one run folder, e.g. `gameday report reports/runs/<run-id>`, or use --compare A B');
  const dir = positionals[0] as string;
  if (isCapacityFolder(dir)) {
    const written = writeCapacityReport(dir);
    const summary = { runDir: written.dir, report: written.htmlPath, junit: written.junitPath, capacity: written.file.bracket };
    process.stdout.write(json ? `${JSON.stringify(summary, null, 2)}\n` : `report: ${written.htmlPath}\njunit: ${written.junitPath}\n`);
    return 0;
  }
  const { run, htmlPath, junitPath } = writeRunReport(dir);
  if (json) {
    const entries = run.entries.map((entry) => ({ entry: entry.key, passed: entry.thresholds.every((result) => result.ok) }));
    process.stdout.write(`${JSON.stringify({ runDir: run.dir, report: htmlPath, junit: junitPath, entries }, null, 2)}\n`);
  } else {
    process.stdout.write(`report: ${htmlPath}\njunit: ${junitPath}\n`);
  }
  return 0;
}

/** `gameday report <run-dir>` and `gameday report --compare A B`: 0, 99 (B regressed) or 1 (bad input). */
export function reportCommand(args: string[]): number {
  const { values, positionals } = parseFlags(args, reportFlags);
  if (values.help) {
    process.stdout.write(reportHelp);
    return 0;
  }
  if (!values.compare && (values.tolerance !== undefined || values.out !== undefined)) throw cliErrors.usage('--tolerance and --out go with --compare');
  try {
    return values.compare ? compare(positionals, values) : render(positionals, values.json === true);
  } catch (error) {
    throw asCliError(error);
  }
}

/**
 * After `gameday run`: report.html and junit.xml into the run folder, their paths said. A report
 * that fails is said too, and leaves the run's exit code as it is: the gates were judged already.
 */
export function reportAfterRun(outDir: string, say: (line: string) => void): void {
  try {
    const { htmlPath, junitPath } = writeRunReport(outDir);
    say(`report: ${htmlPath}`);
    say(`junit: ${junitPath}`);
  } catch (error) {
    const code = error instanceof ReportError ? `${error.code}: ` : '';
    say(`the report could not be written (the run's result stands): ${code}${error instanceof Error ? error.message : String(error)}`);
  }
}
