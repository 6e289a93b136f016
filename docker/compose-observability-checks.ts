import { parse } from 'yaml';
import { k6TrendStatsEnv } from '../dashboards/k6-naming.js';
import { incidents } from '../scenarios/index.js';
import type { Incident } from '../scenarios/incident.js';
import { settingsFromEnv } from '../scenarios/k6/lib/settings.js';
import { containerHosts, containerPorts, proxyListenPorts } from '../stack/docker/topology.js';
import type { ComposeInput } from './compose-checks.js';
import { unreadVariables, variablesRead } from './env-reads.js';

const prometheusPort = 9090;
const grafanaDashboards = '/var/lib/grafana/dashboards';

function mountOf(input: ComposeInput, service: string, source: string): string | undefined {
  return input.services[service]?.volumes.find((volume) => volume.source === source)?.target;
}

export function checkPrometheus(input: ComposeInput): string[] {
  const service = input.services.prometheus;
  if (!service) return ['no compose service "prometheus"'];
  const problems: string[] = [];
  if (!service.command.includes('--web.enable-remote-write-receiver')) problems.push('prometheus: without --web.enable-remote-write-receiver, k6 cannot remote-write to it');
  const configFlag = service.command.find((word) => word.startsWith('--config.file='));
  const mounted = service.volumes.find((volume) => volume.target === configFlag?.split('=')[1]);
  const text = mounted ? input.read(mounted.source.replace(/^\.\//, '')) : null;
  if (text === null) return [...problems, `prometheus: its --config.file (${configFlag}) is not a file of this repository mounted into it`];
  const config = parse(text) as { scrape_configs?: Array<{ metrics_path?: string; static_configs?: Array<{ targets?: string[] }> }> };
  const targets = (config.scrape_configs ?? []).flatMap((job) => (job.static_configs ?? [])
    .flatMap((group) => (group.targets ?? []).map((target) => `${target}${job.metrics_path ?? '/metrics'}`)));
  const serviceMetrics = `${containerHosts.service}:${containerPorts.service}/metrics`;
  if (!targets.includes(serviceMetrics)) problems.push(`prometheus: ${mounted?.source} scrapes ${JSON.stringify(targets)}, not the service at ${serviceMetrics}`);
  if (!service.ports.some((port) => port.target === prometheusPort)) problems.push(`prometheus: port ${prometheusPort} is not published`);
  return problems;
}

export function checkGrafana(input: ComposeInput): string[] {
  const service = input.services.grafana;
  if (!service) return ['no compose service "grafana"'];
  const problems: string[] = [];
  for (const volume of service.volumes) {
    if (!input.exists(volume.source.replace(/^\.\//, ''))) {
      problems.push(`grafana: mounts ${volume.source}, which is not in the repository`);
    }
  }
  const provider = input.read('dashboards/provisioning/dashboards.yml');
  const datasources = input.read('dashboards/provisioning/datasources.yml');
  if (provider === null || datasources === null) return [...problems, 'grafana: dashboards/provisioning/{dashboards,datasources}.yml are missing'];
  if (mountOf(input, 'grafana', './dashboards/provisioning/dashboards.yml')?.startsWith('/etc/grafana/provisioning/dashboards/') !== true) {
    problems.push('grafana: dashboards/provisioning/dashboards.yml is not mounted into /etc/grafana/provisioning/dashboards/');
  }
  if (mountOf(input, 'grafana', './dashboards/provisioning/datasources.yml')?.startsWith('/etc/grafana/provisioning/datasources/') !== true) {
    problems.push('grafana: dashboards/provisioning/datasources.yml is not mounted into /etc/grafana/provisioning/datasources/');
  }
  const paths = ((parse(provider) as { providers?: Array<{ options?: { path?: string } }> }).providers ?? []).map((entry) => entry.options?.path);
  const generated = mountOf(input, 'grafana', './dashboards/generated');
  if (generated !== grafanaDashboards || !paths.includes(generated)) {
    problems.push(`grafana: dashboards/generated is mounted at ${generated}, and the file provider reads ${JSON.stringify(paths)}`);
  }
  const urls = ((parse(datasources) as { datasources?: Array<{ url?: string }> }).datasources ?? []).map((entry) => entry.url);
  if (!urls.includes(`http://prometheus:${prometheusPort}`)) problems.push(`grafana: its datasources point at ${JSON.stringify(urls)}, not the compose Prometheus`);
  return problems;
}

export function checkK6(input: ComposeInput): string[] {
  const service = input.services.k6;
  if (!service) return ['no compose service "k6"'];
  const problems: string[] = [];
  if (!service.profiles.includes('k6')) problems.push('k6: not under a profile, so it would run on every `docker compose up`');
  const script = service.command.find((word) => word.endsWith('.js')) ?? '';
  const scriptDir = mountOf(input, 'k6', './scenarios/k6/dist');
  const id = scriptDir && script.startsWith(`${scriptDir}/`) ? script.slice(scriptDir.length + 1, -'.js'.length) : '';
  const incident = incidents.get(id as Incident['id']);
  if (!incident) return [...problems, `k6: runs "${script}", not a bundled incident script from ./scenarios/k6/dist (npm run build:k6)`];
  if (!service.command.includes('experimental-prometheus-rw')) problems.push('k6: does not remote-write (-o experimental-prometheus-rw)');

  const settingsEnv = Object.fromEntries(Object.entries(service.environment).filter(([name]) => !name.startsWith('K6_')));
  try {
    const { result, read } = variablesRead((env) => settingsFromEnv(incident, env), settingsEnv);
    for (const name of unreadVariables(read, settingsEnv)) problems.push(`k6: ${name} is set, but scenarios/k6/lib/settings.ts never reads it`);
    if (result.baseUrl !== `http://${containerHosts.service}:${containerPorts.service}`) problems.push(`k6: BASE_URL ${result.baseUrl} is not the service`);
    if (result.carrierWsUrl !== `ws://${containerHosts.toxiproxy}:${proxyListenPorts.carrier}/v1/ws`) problems.push(`k6: CARRIER_WS_URL ${result.carrierWsUrl} is not the carrier proxy`);
  } catch (error) {
    problems.push(`k6: scenarios/k6/lib/settings.ts refuses its environment: ${error instanceof Error ? error.message : String(error)}`);
  }
  const writeUrl = service.environment.K6_PROMETHEUS_RW_SERVER_URL;
  if (writeUrl !== `http://prometheus:${prometheusPort}/api/v1/write`) problems.push(`k6: K6_PROMETHEUS_RW_SERVER_URL ${writeUrl} is not the compose Prometheus's remote-write endpoint`);
  if (service.environment.K6_PROMETHEUS_RW_TREND_STATS !== k6TrendStatsEnv) {
    problems.push(`k6: K6_PROMETHEUS_RW_TREND_STATS ${service.environment.K6_PROMETHEUS_RW_TREND_STATS} differs from what the load dashboard reads (${k6TrendStatsEnv})`);
  }
  return problems;
}
