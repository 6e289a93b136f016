import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { chatMetrics } from '../engine/metrics/definitions.js';
import { committedJson, dashboardCatalogue, renderDashboard } from './catalogue.js';
import { k6BuiltInMetrics, k6SeriesIndex } from './k6-naming.js';
import { loadDashboard } from './load-dashboard.js';
import { generatedMarker, generatedTag, prometheusDatasourceUid } from './panels.js';
import { metricNamesIn } from './promql-names.js';
import { panelQueries } from './test/dashboard-queries.js';

describe('generated dashboards', () => {
  it.each(dashboardCatalogue.map((entry) => [entry.name, entry] as const))('%s.json is what the builders make now', (name, entry) => {
    expect(committedJson(name), `dashboards/generated/${name}.json is stale or missing: run npm run dashboards`)
      .toBe(renderDashboard(entry.build()));
  });

  it.each(dashboardCatalogue.map((entry) => [entry.name, entry] as const))('%s carries the generated-by marker', (_name, entry) => {
    const dashboard = entry.build();
    expect(dashboard.description).toContain(generatedMarker);
    expect(dashboard.tags).toContain(generatedTag);
  });

  it.each(dashboardCatalogue.map((entry) => [entry.name, entry] as const))('%s has unique panel ids and a Prometheus datasource variable defaulting to the provisioned uid', (_name, entry) => {
    const dashboard = entry.build();
    const ids = (dashboard.panels ?? []).map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    const datasource = dashboard.templating.list?.find((variable) => variable.type === 'datasource');
    expect(datasource?.query).toBe('prometheus');
    expect(datasource?.current?.value).toBe(prometheusDatasourceUid);
  });

  it('the uids and file names are unique', () => {
    const uids = dashboardCatalogue.map((entry) => entry.build().uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(new Set(dashboardCatalogue.map((entry) => entry.name)).size).toBe(dashboardCatalogue.length);
  });
});

describe('the load dashboard under k6 remote-write naming', () => {
  const k6Series = k6SeriesIndex([...chatMetrics, ...k6BuiltInMetrics]);
  const queried = panelQueries(loadDashboard()).flatMap((query) => metricNamesIn(query.expr).map((name) => ({ ...query, name })));

  it('queries only series k6 writes for engine/metrics/definitions.ts and its own built-ins', () => {
    const unknown = queried.filter((query) => !k6Series.has(query.name)).map((query) => `${query.where}: ${query.name}`);
    expect(unknown).toEqual([]);
    expect(queried.length).toBeGreaterThan(0);
  });

  // Metrics of the definitions that k6 never writes, so a panel for them would stay empty.
  const notWrittenByK6: Record<string, string> = {
    ws_open_sockets: 'sampled by the built-in engine only: a k6 VU cannot see the other VUs\' sockets (k6_vus stands in)',
    service_rss_growth_percent: 'measured by gameday from the workers\' /proc after the load (the nightly leak gate); the service\'s own process_resident_memory_bytes is on the service dashboard',
  };

  it('shows every metric of engine/metrics/definitions.ts that k6 writes', () => {
    const shown = new Set(queried.map((query) => k6Series.get(query.name)?.name));
    // Per-model counters (`llm_cost_usd{model:haiku}`) are the built-in engine's; k6 writes their base metric.
    const written = chatMetrics.map((definition) => definition.name).filter((name) => !name.includes('{'));
    const missing = written.filter((name) => !shown.has(name) && !(name in notWrittenByK6));
    expect(missing, 'add a panel to dashboards/load-dashboard.ts, then npm run dashboards').toEqual([]);
  });
});

describe('Grafana provisioning', () => {
  const read = (file: string) => parse(readFileSync(new URL(`./provisioning/${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;

  it('provides the Prometheus datasource the dashboards default to', () => {
    const { datasources } = read('datasources.yml') as { datasources: Array<{ uid: string; type: string; url: string }> };
    expect(datasources).toEqual([expect.objectContaining({ uid: prometheusDatasourceUid, type: 'prometheus', url: 'http://prometheus:9090' })]);
  });

  it('loads dashboards from /var/lib/grafana/dashboards', () => {
    const { providers } = read('dashboards.yml') as { providers: Array<{ type: string; options: { path: string } }> };
    expect(providers).toEqual([expect.objectContaining({ type: 'file', options: expect.objectContaining({ path: '/var/lib/grafana/dashboards' }) })]);
  });
});
