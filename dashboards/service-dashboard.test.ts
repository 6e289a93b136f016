import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBedrockProcess, startBedrockProcess } from '../stack/bedrock-process.js';
import { inheritedEnv } from '../test/config.js';
import { type ServiceDeps, startServiceDeps } from '../test/service-deps.js';
import { type RunningFleet, startFleet } from '../test/service-fleet.js';
import { familyOfSeries, parseMetricFamilies } from './metric-families.js';
import { loadDashboard } from './load-dashboard.js';
import { metricNamesIn } from './promql-names.js';
import { serviceDashboard } from './service-dashboard.js';
import { type PanelQuery, panelQueries, substituteVariables } from './test/dashboard-queries.js';
import { prometheusAvailable, prometheusBinary, type RunningPrometheus, startPrometheus } from './test/prometheus-server.js';
import { chatWave, faultWave } from './test/service-traffic.js';

/**
 * The service dashboard against the real service: the fleet over redis-server, DynamoDB Local and the Bedrock emulator process, with
 * real chats; and, where Debian's prometheus is installed, a real Prometheus scraping it.
 */

const queries = panelQueries(serviceDashboard());
const job = 'gameday-service';

let deps: ServiceDeps | undefined;
let bedrock: RunningBedrockProcess | undefined;
let fleet: RunningFleet | undefined;
let prometheus: RunningPrometheus | undefined;
let exposition = '';

if (!prometheusAvailable) console.log(`skipping the Prometheus query tests: ${prometheusBinary} is not installed (apt-get install prometheus)`);

beforeAll(async () => {
  deps = await startServiceDeps();
  bedrock = await startBedrockProcess({ dir: deps.tempDir('gameday-dashboards-bedrock-'), seed: 7, timeScale: 0.02, env: inheritedEnv });
  fleet = await startFleet(deps, bedrock.endpoint, { workers: 1 });
  if (prometheusAvailable) {
    prometheus = await startPrometheus({ dir: deps.tempDir('gameday-dashboards-prometheus-'), target: new URL(fleet.baseUrl).host, job, scrapeIntervalSeconds: 1 });
    await prometheus.scrapes(1);
  }
  // The traffic reaches every labelled series, errors and fallbacks included, so no query is
  // excused from returning data. A series Prometheus first sees with a value has no rate yet:
  // each needs traffic after an earlier scrape, hence two waves with scrapes between them.
  await chatWave(fleet.baseUrl, fleet.wsUrl, 'wave-1');
  await faultWave(fleet.baseUrl, fleet.wsUrl, bedrock.admin, 'wave-1');
  await prometheus?.scrapes(1);
  await chatWave(fleet.baseUrl, fleet.wsUrl, 'wave-2');
  await faultWave(fleet.baseUrl, fleet.wsUrl, bedrock.admin, 'wave-2');
  await prometheus?.scrapes(2);
  exposition = await (await fetch(`${fleet.baseUrl}/metrics`)).text();
}, 240_000);

afterAll(async () => {
  // Every part is stopped, in reverse order of starting, even when an earlier stop fails.
  const failures: unknown[] = [];
  for (const part of [prometheus, fleet, bedrock, deps]) {
    try {
      await part?.stop();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}, 120_000);

describe('the service dashboard against the real service', () => {
  it('queries only series the service\'s /metrics exposes', () => {
    const families = parseMetricFamilies(exposition);
    expect(families.size).toBeGreaterThan(10);
    const missing = queries.flatMap((query) => metricNamesIn(query.expr)
      .filter((name) => familyOfSeries(name, families) === undefined)
      .map((name) => `${query.where}: ${name}`));
    expect(missing).toEqual([]);
  });

  /** The dashboard's variables as Grafana would fill them in for the scraped service. */
  async function variableValues(running: RunningPrometheus): Promise<Record<string, string>> {
    const instances = await running.labelValues('instance', 'ws_live_sockets');
    expect(instances, 'the $instance variable lists the scraped service').toEqual([new URL((fleet as RunningFleet).baseUrl).host]);
    return {
      datasource: 'prometheus',
      instance: (instances[0] as string).replaceAll('.', '\\\\.'),
      __rate_interval: '1m',
      __range: '5m',
    };
  }

  it.skipIf(!prometheusAvailable)('every query returns data from a Prometheus scraping the service', async () => {
    const running = prometheus as RunningPrometheus;
    const variables = await variableValues(running);
    const failures: string[] = [];
    for (const query of queries) {
      const expr = substituteVariables(query.expr, variables);
      try {
        const samples = await running.query(expr);
        const finite = samples.some((sample) => Number.isFinite(Number(sample.value[1])));
        if (!finite) failures.push(`${query.where}: no finite value from ${expr} (${JSON.stringify(samples)})`);
      } catch (error) {
        failures.push(`${query.where}: ${(error as Error).message} for ${expr}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it.skipIf(!prometheusAvailable)('the cache hit ratio has a series for every cache with hits or misses', async () => {
    const running = prometheus as RunningPrometheus;
    const ratio = queries.find((query) => query.where === 'Cache hit ratio by cache / A');
    const samples = await running.query(substituteVariables((ratio as PanelQuery).expr, await variableValues(running)));
    // With this traffic the session cache only ever hits, so it has no misses series at all.
    const caches = new Set([...exposition.matchAll(/^cache_(?:hits|misses)_total\{cache="(\w+)"\}/gm)].map((match) => match[1]));
    expect(caches.size).toBeGreaterThan(1);
    expect(samples.map((sample) => sample.metric.cache).sort()).toEqual([...caches].sort());
  });

  it.skipIf(!prometheusAvailable)('every load-dashboard query is PromQL Prometheus accepts (k6 writes no data here)', async () => {
    const running = prometheus as RunningPrometheus;
    const variables = { datasource: 'prometheus', incident: '.+', __rate_interval: '1m', __range: '5m' };
    const failures: string[] = [];
    for (const query of panelQueries(loadDashboard())) {
      await running.query(substituteVariables(query.expr, variables))
        .catch((error: Error) => failures.push(`${query.where}: ${error.message}`));
    }
    expect(failures).toEqual([]);
  });
});
