import { readFileSync } from 'node:fs';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { loadDashboard } from './load-dashboard.js';
import { serviceDashboard } from './service-dashboard.js';

/** Every dashboard, by the name of its generated file (dashboards/generated/<name>.json). */
export const dashboardCatalogue: ReadonlyArray<{ name: string; build: () => Dashboard }> = Object.freeze([
  { name: 'service', build: serviceDashboard },
  { name: 'load-run', build: loadDashboard },
]);

export const generatedDir = new URL('./generated/', import.meta.url);

export function generatedFile(name: string): URL {
  return new URL(`${name}.json`, generatedDir);
}

/** The generated file as it is on disk now, or '' when there is none. */
export function committedJson(name: string): string {
  try {
    return readFileSync(generatedFile(name), 'utf8');
  } catch {
    return '';
  }
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]));
}

/** The committed form: keys sorted at every level, two-space indent, one trailing newline. */
export function renderDashboard(dashboard: Dashboard): string {
  return `${JSON.stringify(sortedKeys(dashboard), null, 2)}\n`;
}
