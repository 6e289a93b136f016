import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { reportErrors } from './report-errors.js';
import { type RunEntry, entryFromSummary, journalFlaw } from './run-entry.js';
import type { Journal } from '../chaos/experiments/journal.js';

export interface RunFolder {
  dir: string;
  /** The folder's name, which `gameday run` makes the run id. */
  runId: string;
  /** Grouped by incident in folder order, hardened before naive within one. */
  entries: RunEntry[];
}

function readJson(path: string, corrupt: (path: string, detail: string) => Error): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw corrupt(path, `it cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw corrupt(path, `it is not JSON (${(error as Error).message})`);
  }
}

/** journal.json beside a summary: what the faults did, when the summary itself does not carry it. */
function readJournal(path: string): Journal | null {
  if (!existsSync(path)) return null;
  const json = readJson(path, reportErrors.corruptJournal);
  const flaw = journalFlaw(json);
  if (flaw) throw reportErrors.corruptJournal(path, flaw);
  return json as Journal;
}

function readEntry(dir: string): RunEntry {
  const summaryPath = join(dir, 'summary.json');
  const entry = entryFromSummary(readJson(summaryPath, reportErrors.corruptSummary), summaryPath, basename(dir));
  return entry.journal ? entry : { ...entry, journal: readJournal(join(dir, 'journal.json')) };
}

const profileOrder = (profile: string) => (profile === 'hardened' ? 0 : 1);

function grouped(entries: RunEntry[]): RunEntry[] {
  const incidents = [...new Set(entries.map((entry) => entry.incident))];
  return incidents.flatMap((incident) => entries
    .filter((entry) => entry.incident === incident)
    .sort((a, b) => profileOrder(a.profile) - profileOrder(b.profile) || a.key.localeCompare(b.key)));
}

/**
 * Reads what `gameday run --out DIR` wrote: every `<incident>-<profile>/summary.json` (and its
 * journal.json). A folder holding summary.json itself is read as a run of that one entry.
 * Throws a ReportError that names the folder or the file.
 */
export function readRunFolder(path: string): RunFolder {
  const dir = resolve(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw reportErrors.missingFolder(dir);
  const single = existsSync(join(dir, 'summary.json'));
  const entryDirs = single
    ? [dir]
    : readdirSync(dir, { withFileTypes: true })
      .filter((child) => child.isDirectory() && existsSync(join(dir, child.name, 'summary.json')))
      .map((child) => join(dir, child.name))
      .sort();
  if (entryDirs.length === 0) throw reportErrors.notARunFolder(dir);
  return { dir, runId: basename(dir), entries: grouped(entryDirs.map(readEntry)) };
}
