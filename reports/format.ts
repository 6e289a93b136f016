import type { RunEntry } from './run-entry.js';
import { chatMetrics } from '../engine/metrics/definitions.js';

const definitions = new Map(chatMetrics.map((definition) => [definition.name, definition]));

/** A metric's kind as the summary records it, else as the catalogue defines it. */
function kindOf(entry: RunEntry | null, metric: string): { type: string | undefined; contains: string | undefined } {
  const recorded = entry?.metrics[metric];
  if (recorded) return { type: recorded.type, contains: recorded.contains };
  const defined = definitions.get(metric);
  return { type: defined?.type, contains: defined?.contains };
}

/** A number with the decimals its size deserves, trailing zeros dropped (0.4, 12.5, 1234). */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const magnitude = Math.abs(value);
  return String(Number(value.toFixed(magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 4)));
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A count such as tokens, rounded and grouped by thousands (1,842,768). */
export function formatCount(value: number): string {
  return grouped.format(Math.round(value));
}

/** A measured value in the metric's terms: ms for time trends, a percentage for rates; "-" for none. */
export function formatValue(entry: RunEntry | null, metric: string, value: number | null): string {
  if (value === null) return '-';
  const { type, contains } = kindOf(entry, metric);
  if (type === 'rate') return `${(value * 100).toFixed(2)}%`;
  if (type === 'trend' && contains === 'time') return `${Math.round(value)} ms`;
  return formatNumber(value);
}

export function formatSeconds(ms: number): string {
  return `${formatNumber(Math.round(ms / 100) / 10)} s`;
}

export function formatUsd(value: number): string {
  return `$${value.toFixed(value >= 100 ? 2 : value >= 1 ? 3 : 4)}`;
}

/** The profile as the tables show it: naive with its switches when only some were on. */
export function profileLabel(entry: RunEntry): string {
  return entry.profile === 'naive' && entry.naive.length > 0 ? `naive (${entry.naive.join(', ')})` : entry.profile;
}
