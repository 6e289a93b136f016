import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';

export interface PanelQuery {
  /** "panel title / refId", to name a query in a failure. */
  where: string;
  expr: string;
}

interface JsonPanel { title?: string; targets?: Array<{ refId?: string; expr?: string }>; panels?: JsonPanel[] }

/** Every PromQL expression of a dashboard's panels (rows' nested panels included). */
export function panelQueries(dashboard: Dashboard): PanelQuery[] {
  const walk = (panels: JsonPanel[]): PanelQuery[] => panels.flatMap((panel) => [
    ...(panel.targets ?? []).filter((target) => target.expr !== undefined)
      .map((target) => ({ where: `${panel.title ?? '?'} / ${target.refId ?? '?'}`, expr: target.expr as string })),
    ...walk(panel.panels ?? []),
  ]);
  return walk((dashboard.panels ?? []) as JsonPanel[]);
}

/**
 * Replaces Grafana variables ($name, ${name}) with the given values, as Grafana would before
 * sending the query; a variable without a value throws, so a new one cannot slip past a test.
 */
export function substituteVariables(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (_match, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare) as string;
    const value = values[name];
    if (value === undefined) throw new Error(`no value for the dashboard variable $${name} in: ${expr}`);
    return value;
  });
}
