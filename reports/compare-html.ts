import type { Comparison, Side, ThresholdComparison } from './compare.js';
import { escapeHtml } from './escape.js';
import { badge, type Cell, raw, table } from './html/markup.js';
import { page } from './html/page.js';

function sideCell(side: Side): Cell[] {
  const state = side.state === 'pass' ? badge('pass', 'pass') : side.state === 'fail' ? badge('fail', 'FAIL') : badge('skip', side.state);
  return [side.shown, state];
}

function rowCells(row: ThresholdComparison): Cell[] {
  const change = row.regressed ? raw(`${badge('fail', 'REGRESSED').html} ${escapeHtml(row.change)}`) : row.change;
  return [`${row.metric} ${row.threshold}`, ...sideCell(row.a), ...sideCell(row.b), change];
}

/** compare.html: per incident-profile, each threshold's value in A and in B, regressions flagged. */
export function renderCompareHtml(comparison: Comparison, generatedAt: Date): string {
  const { a, b } = comparison;
  const regressions = comparison.rows.filter((row) => row.regressed);
  const headline = regressions.length > 0
    ? `<p class="headline fail">B regressed against A: ${regressions.length} threshold${regressions.length === 1 ? '' : 's'} (exit 99).</p>`
    : '<p class="headline pass">No regression: B is as good as A within the tolerance.</p>';
  const entries = [...new Set(comparison.rows.map((row) => row.entry))];
  const tables = entries.map((entry) => {
    const rows = comparison.rows.filter((row) => row.entry === entry);
    return table({
      caption: `${entry}: A → B`, className: 'compare', rowHeaders: true,
      head: ['threshold', 'A: value', 'A: result', 'B: value', 'B: result', 'change'], rows: rows.map(rowCells),
      rowClasses: rows.map((row) => (row.regressed ? 'regressed' : null)),
    });
  });
  const notes = comparison.notes.length > 0
    ? `<ul>${comparison.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>` : '';
  const intro = `<p>A: <code>${escapeHtml(a.dir)}</code><br>B: <code>${escapeHtml(b.dir)}</code><br>`
    + `A regression: pass → fail, a threshold judged in A and not in B, or a value more than ${Math.round(comparison.tolerance * 100)} % worse than A's `
    + `(than the threshold's limit when A's was 0). Rendered ${escapeHtml(generatedAt.toISOString())}.</p>`;
  return page({
    title: `gameday compare: ${a.runId} → ${b.runId}`,
    intro,
    nav: [['comparison', 'Comparison']],
    sections: [`<section id="comparison" aria-labelledby="comparison-h"><h2 id="comparison-h">Comparison</h2>\n${headline}\n${notes}\n${tables.join('\n')}</section>`],
  });
}
