import { type Cell, table } from './markup.js';
import { escapeHtml } from '../escape.js';
import { formatCount, formatUsd, profileLabel } from '../format.js';
import { type CostLine, type PerUnit, costFigures } from '../llm-costs.js';
import type { RunEntry } from '../run-entry.js';

const tokens = formatCount;
const unit = (figures: PerUnit | null): Cell[] => (figures ? [tokens(figures.inputTokens), tokens(figures.outputTokens), formatUsd(figures.costUsd)] : ['-', '-', '-']);

function row(entry: RunEntry, line: CostLine): Cell[] {
  const prices = line.prices ? `$${line.prices.input} / $${line.prices.output}` : 'by model';
  return [`${entry.incident} (${profileLabel(entry)})`, line.label, prices, formatUsd(line.total.costUsd), ...unit(line.per1000Messages), ...unit(line.perSession)];
}

/** LLM tokens and cost in USD per 1,000 messages and per session; prices from engine/llm-cost.ts. */
export function costSection(entries: RunEntry[]): string {
  const rows: Cell[][] = [];
  const missing: string[] = [];
  for (const entry of entries) {
    const figures = costFigures(entry);
    if (figures) rows.push(...figures.lines.map((line) => row(entry, line)));
    else missing.push(`${entry.incident} (${profileLabel(entry)})`);
  }
  const body = rows.length > 0 ? table({
    caption: 'LLM tokens and cost: whole run, per 1,000 messages and per session',
    head: ['run', 'priced', 'USD per 1M tokens in / out', 'run cost', 'input tokens / 1k msgs', 'output tokens / 1k msgs', 'USD / 1k msgs',
      'input tokens / session', 'output tokens / session', 'USD / session'],
    rows, rowHeaders: true,
  }) : '';
  const notes = missing.length > 0 ? `<p class="not-recorded">not recorded for ${escapeHtml(missing.join(', '))}: the summary has no token counts</p>` : '';
  return `<section id="cost" aria-labelledby="cost-h"><h2 id="cost-h">LLM tokens and cost</h2>\n`
    + '<p>The run counts tokens over all turns, not per model: "measured" prices each turn at the model its answer names; '
    + 'the model lines price all of the run\'s tokens at one model\'s rates, the bounds of any mix. '
    + 'Sessions are those the store audit found; a run without the audit has no per-session figures.</p>\n'
    + `${body}${notes}</section>`;
}
