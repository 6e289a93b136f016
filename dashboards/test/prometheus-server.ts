import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RunningPart, startPart } from '../../stack/managed-process.js';
import { loopback, startOnPort } from '../../stack/ports.js';

/** Debian's prometheus package; a machine without it skips the tests that need it. */
export const prometheusBinary = '/usr/bin/prometheus';
export const prometheusAvailable = existsSync(prometheusBinary);

export interface PrometheusSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RunningPrometheus extends RunningPart {
  url: string;
  /** An instant query; throws when Prometheus answers with an error. */
  query(expr: string): Promise<PrometheusSample[]>;
  labelValues(label: string, match: string): Promise<string[]>;
  /** Resolves after `count` more scrapes of the target have finished, from now. */
  scrapes(count: number): Promise<void>;
}

export interface PrometheusOptions {
  /** Where its config and storage go (a temporary folder the caller removes). */
  dir: string;
  /** host:port of the /metrics to scrape. */
  target: string;
  job: string;
  scrapeIntervalSeconds: number;
}

interface ApiAnswer<T> { status: 'success' | 'error'; data: T; error?: string; errorType?: string }

/** A real Prometheus on a free loopback port scraping one target, for dashboard tests. */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const storage = join(options.dir, 'data');
  mkdirSync(storage, { recursive: true });
  const configPath = join(options.dir, 'prometheus.yml');
  writeFileSync(configPath, [
    'global:',
    `  scrape_interval: ${options.scrapeIntervalSeconds}s`,
    `  evaluation_interval: ${options.scrapeIntervalSeconds}s`,
    'scrape_configs:',
    `  - job_name: ${JSON.stringify(options.job)}`,
    `    scrape_timeout: ${options.scrapeIntervalSeconds}s`,
    '    static_configs:',
    `      - targets: [${JSON.stringify(options.target)}]`,
    '',
  ].join('\n'));

  return startOnPort('prometheus', undefined, async (port) => {
    const url = `http://${loopback}:${port}`;
    const part = await startPart({
      name: 'prometheus',
      command: prometheusBinary,
      args: [
        `--config.file=${configPath}`,
        `--storage.tsdb.path=${storage}`,
        `--web.listen-address=${loopback}:${port}`,
        '--storage.tsdb.retention.time=1h',
      ],
      logPath: join(options.dir, 'prometheus.log'),
      port,
      ready: {
        what: 'prometheus',
        timeoutMs: 30_000,
        probe: async () => {
          const response = await fetch(`${url}/-/ready`);
          if (!response.ok) throw new Error(`/-/ready answered ${response.status}`);
        },
      },
    });

    async function api<T>(path: string, params: Record<string, string>): Promise<T> {
      const response = await fetch(`${url}${path}?${new URLSearchParams(params)}`);
      const answer = (await response.json()) as ApiAnswer<T>;
      if (answer.status !== 'success') throw new Error(`${answer.errorType ?? 'error'}: ${answer.error ?? response.status}`);
      return answer.data;
    }

    const lastScrape = async (): Promise<number> => {
      const targets = await api<{ activeTargets: Array<{ labels: { job: string }; lastScrape: string; health: string }> }>(
        '/api/v1/targets', { state: 'active' });
      const target = targets.activeTargets.find((candidate) => candidate.labels.job === options.job);
      return target && target.health === 'up' ? Date.parse(target.lastScrape) : 0;
    };

    return {
      ...part,
      url,
      query: async (expr) => (await api<{ resultType: string; result: PrometheusSample[] }>('/api/v1/query', { query: expr })).result,
      labelValues: (label, match) => api<string[]>(`/api/v1/label/${encodeURIComponent(label)}/values`, { 'match[]': match }),
      async scrapes(count) {
        // Bounded: a scrape every interval, with room for a loaded machine.
        const deadline = Date.now() + (count + 5) * options.scrapeIntervalSeconds * 4_000;
        let seen = await lastScrape();
        let remaining = count;
        while (remaining > 0) {
          if (Date.now() > deadline) throw new Error(`prometheus did not scrape ${options.target} ${count} times in time; see ${part.logPath}`);
          await sleep(200);
          const latest = await lastScrape();
          if (latest > seen) {
            seen = latest;
            remaining -= 1;
          }
        }
      },
    };
  });
}
