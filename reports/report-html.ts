import { chaosSection } from './html/chaos-section.js';
import { chartsSection } from './html/charts-section.js';
import { costSection } from './html/cost-section.js';
import { generatorSection } from './html/generator-section.js';
import { histogramsSection } from './html/histograms-section.js';
import { page } from './html/page.js';
import { verdictSection } from './html/verdict-section.js';
import { escapeHtml } from './escape.js';
import type { RunFolder } from './run-folder.js';

/**
 * report.html for a run folder, one self-contained file: the verdict first, then the charts
 * over time, latency histograms, LLM cost, the chaos journal and the generator's health.
 * `generatedAt` is passed in so the same folder renders to the same bytes in a test.
 */
export function renderReportHtml(run: RunFolder, generatedAt: Date): string {
  const intro = `<p>Run <code>${escapeHtml(run.runId)}</code>, folder <code>${escapeHtml(run.dir)}</code>; `
    + `${run.entries.length} incident-profile${run.entries.length === 1 ? '' : 's'}; rendered ${escapeHtml(generatedAt.toISOString())} `
    + 'by <code>gameday report</code>.</p>';
  return page({
    title: `gameday report: ${run.runId}`,
    intro,
    nav: [['verdict', 'Verdict'], ['charts', 'Over time'], ['histograms', 'Latency histograms'], ['cost', 'LLM tokens and cost'],
      ['chaos', 'Chaos journal'], ['generator', 'Generator and settings']],
    sections: [
      verdictSection(run.entries), chartsSection(run.entries), histogramsSection(run.entries),
      costSection(run.entries), chaosSection(run.entries), generatorSection(run.entries),
    ],
  });
}
