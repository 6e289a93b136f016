import { escapeHtml } from '../escape.js';

/** Markup we built ourselves; every other string is escaped on its way into the page. */
export interface Html { readonly html: string }

export const raw = (html: string): Html => ({ html });

export type Cell = string | number | Html;

export function cellHtml(content: Cell): string {
  if (typeof content === 'number') return escapeHtml(String(content));
  return typeof content === 'string' ? escapeHtml(content) : content.html;
}

export interface TableOptions {
  caption: string;
  head: Cell[];
  rows: Cell[][];
  id?: string;
  className?: string;
  /** The first cell of each row heads it (a threshold's name, a window). */
  rowHeaders?: boolean;
  /** A class per row (by index), e.g. to mark a regressed one. */
  rowClasses?: Array<string | null>;
}

/** A real table: caption, column headers with scope, row headers where the first cell names the row. */
export function table(options: TableOptions): string {
  const attributes = `${options.id ? ` id="${escapeHtml(options.id)}"` : ''}${options.className ? ` class="${escapeHtml(options.className)}"` : ''}`;
  const head = options.head.map((content) => `<th scope="col">${cellHtml(content)}</th>`).join('');
  const rowOpen = (index: number) => (options.rowClasses?.[index] ? `<tr class="${escapeHtml(options.rowClasses[index] as string)}">` : '<tr>');
  const rows = options.rows.map((row, rowIndex) => `${rowOpen(rowIndex)}${row.map((content, index) =>
    (index === 0 && options.rowHeaders ? `<th scope="row">${cellHtml(content)}</th>` : `<td>${cellHtml(content)}</td>`)).join('')}</tr>`).join('\n');
  return `<table${attributes}><caption>${escapeHtml(options.caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

/** A pass / FAIL / other badge; the word carries the meaning, the colour only repeats it. */
export function badge(state: 'pass' | 'fail' | 'skip' | 'warn', text: string): Html {
  return raw(`<span class="badge ${state}">${escapeHtml(text)}</span>`);
}

/** A fragment id from any text (incident ids are already safe; this keeps it so). */
export function anchor(...parts: string[]): string {
  return parts.join('-').toLowerCase().replace(/[^a-z0-9_-]+/g, '-');
}
