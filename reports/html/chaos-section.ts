import { type Cell, raw, table } from './markup.js';
import { escapeHtml } from '../escape.js';
import { formatSeconds, profileLabel } from '../format.js';
import type { RunEntry } from '../run-entry.js';
import type { FaultObservation } from '../../chaos/faults/fault.js';
import type { Journal } from '../../chaos/experiments/journal.js';

function observation(observed: FaultObservation | null): Cell {
  if (!observed) return '-';
  const pairs = Object.entries(observed).map(([key, value]) => `${key}=${value === null ? 'null' : String(value)}`);
  return raw(pairs.map(escapeHtml).join('<br>'));
}

function journalHtml(entry: RunEntry, journal: Journal): string {
  const facts = [
    `status ${journal.status}`, journal.deviated ? 'the steady state deviated' : 'no deviation',
    `from ${journal.start} to ${journal.end} (${formatSeconds(journal.durationMs)})`,
    ...(journal.error ? [`error: ${journal.error}`] : []),
  ];
  const steps = table({
    caption: `${entry.key}: ${journal.title}`,
    head: ['step', 'fault', 'planned', 'applied at', 'reverted at', 'outcome', 'applied: observed', 'reverted: observed'],
    rows: journal.method.map((step): Cell[] => [
      step.name, step.fault, `at ${formatSeconds(step.atMs)} for ${formatSeconds(step.durationMs)}`, step.start, step.end,
      step.error ? `${step.outcome}: ${step.error}` : step.outcome, observation(step.applied), observation(step.reverted),
    ]),
    rowHeaders: true,
  });
  const rollbacks = journal.rollbacks.length > 0 ? table({
    caption: `${entry.key}: rollbacks`, head: ['rollback', 'start', 'end', 'outcome'],
    rows: journal.rollbacks.map((step): Cell[] => [step.name, step.start, step.end, step.error ? `${step.outcome}: ${step.error}` : step.outcome]),
    rowHeaders: true,
  }) : '';
  return `<p>${escapeHtml(facts.join('; '))}.</p>${steps}${rollbacks}`;
}

/** The chaos journal of each incident-profile: what was injected when, what it observed, how it reverted. */
export function chaosSection(entries: RunEntry[]): string {
  const parts = entries.map((entry) => {
    const heading = `<h3>${escapeHtml(`${entry.incident} (${profileLabel(entry)})`)}</h3>`;
    if (entry.journal) return `${heading}${journalHtml(entry, entry.journal)}`;
    const skipped = entry.faultsSkipped.length > 0
      ? `--skip-faults: ${entry.faultsSkipped.map((step) => `${step.fault} at ${formatSeconds(step.atMs)} for ${formatSeconds(step.durationMs)}`).join(', ')} left to other tools`
      : 'no faults were injected';
    return `${heading}<p>${escapeHtml(skipped)}.</p>`;
  });
  return `<section id="chaos" aria-labelledby="chaos-h"><h2 id="chaos-h">Chaos journal</h2>\n${parts.join('\n')}</section>`;
}
