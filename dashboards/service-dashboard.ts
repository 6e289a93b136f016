import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard, labelVariable, prometheusVariable, stat, timeSeries, units, type Query } from './panels.js';

/**
 * The orchestrator as its /metrics shows it (service/metrics.ts, prom-client's process and
 * Node.js defaults). Histograms are in seconds; the fleet's /metrics sums its workers.
 */

const ttftSloSeconds = 3;

/** The instance filter, plus any further matchers. */
function on(...matchers: string[]): string {
  return `{${['instance=~"$instance"', ...matchers].join(', ')}}`;
}

function quantile(q: number, histogram: string, by: string[] = [], window = '$__rate_interval'): string {
  return `histogram_quantile(${q}, sum by (${['le', ...by].join(', ')}) (rate(${histogram}_bucket${on()}[${window}])))`;
}

function percentiles(histogram: string): Query[] {
  return [0.5, 0.95, 0.99].map((q) => ({ expr: quantile(q, histogram), legend: `p${Math.round(q * 100)}` }));
}

const perSecond = (series: string, by: string) => `sum by (${by}) (rate(${series}${on()}[$__rate_interval]))`;

/**
 * hits / (hits + misses) by `by`; a side with no series yet (a cache that never missed) counts
 * as zero instead of dropping the cache from the result.
 */
function hitRatio(hitsSeries: string, missesSeries: string, by: string): string {
  const hits = perSecond(hitsSeries, by);
  const misses = perSecond(missesSeries, by);
  const hitsOrZero = `(${hits} or ${misses} * 0)`;
  return `${hitsOrZero} / (${hitsOrZero} + (${misses} or ${hits} * 0))`;
}

const overview = {
  title: 'Overview (the dashboard\'s time range)',
  panels: [
    stat({
      title: 'TTFT p95', unit: units.seconds, redFrom: ttftSloSeconds,
      description: 'Message received to first streamed token, 95th percentile over the whole range. SLO: under 3 s.',
      queries: [{ expr: quantile(0.95, 'chat_ttft_seconds', [], '$__range') }],
    }),
    stat({
      title: 'Messages', unit: units.count,
      description: 'Turns the service finished (answered, replayed, from cache or errored) in the range.',
      queries: [{ expr: `sum(increase(chat_turn_duration_seconds_count${on()}[$__range]))` }],
    }),
    stat({
      title: 'Errored turns', unit: units.ratio, redFrom: 0.01, noValue: '0',
      description: 'Share of turns that ended in an error. Gate: under 1%. No error series yet means no turn failed.',
      queries: [{
        expr: `sum(increase(chat_turn_duration_seconds_count${on('outcome="error"')}[$__range]))`
          + ` / sum(increase(chat_turn_duration_seconds_count${on()}[$__range]))`,
      }],
    }),
    stat({
      title: 'Model cost', unit: units.usd,
      description: 'Bedrock list-price cost of every model call in the range (summaries included).',
      queries: [{ expr: `sum(increase(llm_cost_usd_total${on()}[$__range]))` }],
    }),
  ],
};

const latency = {
  title: 'Latency',
  panels: [
    timeSeries({
      title: 'Time to first token', unit: units.seconds, redFrom: ttftSloSeconds,
      description: 'Message received to first streamed token (chat_ttft_seconds), all models and response-cache answers. The dashed line is the 3 s SLO.',
      queries: percentiles('chat_ttft_seconds'),
    }),
    timeSeries({
      title: 'TTFT p95 by model', unit: units.seconds, redFrom: ttftSloSeconds,
      description: 'Which model answered: Haiku after a Sonnet fallback shows here; cache is a first question answered from the response cache.',
      queries: [{ expr: quantile(0.95, 'chat_ttft_seconds', ['model']), legend: '{{model}}' }],
    }),
    timeSeries({
      title: 'Turn duration', unit: units.seconds,
      description: 'Message received to the durable done frame (chat_turn_duration_seconds).',
      queries: percentiles('chat_turn_duration_seconds'),
    }),
    timeSeries({
      title: 'Turn duration p95 by outcome', unit: units.seconds,
      description: 'model: streamed by Bedrock; cache: answered from the response cache; replay: a resent message id; error.',
      queries: [{ expr: quantile(0.95, 'chat_turn_duration_seconds', ['outcome']), legend: '{{outcome}}' }],
    }),
  ],
};

const traffic = {
  title: 'Traffic and sessions',
  panels: [
    timeSeries({
      title: 'Messages per second by outcome', unit: units.count,
      description: 'Finished turns per second; the incident loads run at 11.6/s mean and about 35/s at the JST evening peak.',
      queries: [{ expr: perSecond('chat_turn_duration_seconds_count', 'outcome'), legend: '{{outcome}}' }],
    }),
    timeSeries({
      title: 'Open WebSockets', unit: units.count,
      description: 'Live chat sockets of the fleet (ws_live_sockets). Drops here with steady load mean NAT drops or killed tasks.',
      queries: [{ expr: `sum by (instance) (ws_live_sockets${on()})`, legend: '{{instance}}' }],
    }),
  ],
};

const errors = {
  title: 'Errors',
  panels: [
    timeSeries({
      title: 'Errors per second by code', unit: units.count,
      description: 'Every error the service counted, by its stable code (service/errors.ts).',
      queries: [{ expr: perSecond('errors_total', 'code'), legend: '{{code}}' }],
    }),
    timeSeries({
      title: 'Forged turns dropped per second', unit: units.count,
      description: 'Stored turns discarded because their HMAC signature was missing or wrong. Anything above zero is an attack or a bug.',
      queries: [{ expr: `sum(rate(forged_turns_dropped_total${on()}[$__rate_interval]))`, legend: 'dropped' }],
    }),
  ],
};

const model = {
  title: 'Model (Bedrock)',
  panels: [
    timeSeries({
      title: 'Tokens per second by model and direction', unit: units.count,
      description: 'Input and output tokens Bedrock reported (llm_tokens_total).',
      queries: [{ expr: perSecond('llm_tokens_total', 'model, direction'), legend: '{{model}} {{direction}}' }],
    }),
    timeSeries({
      title: 'Cost per hour by model', unit: units.usd,
      description: 'Spend rate at list prices, scaled to an hour.',
      queries: [{ expr: `${perSecond('llm_cost_usd_total', 'model')} * 3600`, legend: '{{model}}' }],
    }),
    timeSeries({
      title: 'Model fallbacks and restarts per second by reason', unit: units.count,
      description: 'Fallbacks: turns Haiku answered after Sonnet was throttled, timed out or unavailable before its first token. '
        + 'Restarts: answers started again on Haiku after the stream stalled or broke with text already shown (a restart frame).',
      queries: [
        { expr: perSecond('model_fallbacks_total', 'reason'), legend: 'fallback {{reason}}' },
        { expr: perSecond('model_stream_restarts_total', 'reason'), legend: 'restart {{reason}}' },
      ],
    }),
    timeSeries({
      title: 'Input tokens per turn p95 by model', unit: units.count,
      description: 'Estimated tokens sent to the model per turn; the context window keeps Sonnet within 6,000 (long-session incident).',
      queries: [{ expr: quantile(0.95, 'context_input_tokens', ['model']), legend: '{{model}}' }],
    }),
  ],
};

const caches = {
  title: 'Caches and context',
  panels: [
    timeSeries({
      title: 'Cache hit ratio by cache', unit: units.ratio,
      description: 'session: the Redis copy of a session (DynamoDB is the store); response: shared first answers.',
      queries: [{ expr: hitRatio('cache_hits_total', 'cache_misses_total', 'cache'), legend: '{{cache}}' }],
    }),
    timeSeries({
      title: 'Cache hits and misses per second', unit: units.count,
      description: 'A session miss is a read that went to DynamoDB: evictions (flash-sale, redis-eviction) show here.',
      queries: [
        { expr: perSecond('cache_hits_total', 'cache'), legend: '{{cache}} hits' },
        { expr: perSecond('cache_misses_total', 'cache'), legend: '{{cache}} misses' },
      ],
    }),
    timeSeries({
      title: 'Context summaries per second', unit: units.count, width: 24,
      description: 'Haiku summaries of turns dropped from the context window (long sessions), made after each done; '
        + 'behind: turns that came before the summary they needed was ready and sent the uncovered turns whole.',
      queries: [
        { expr: `sum(rate(context_summaries_total${on()}[$__rate_interval]))`, legend: 'summaries' },
        { expr: `sum(rate(context_summary_behind_total${on()}[$__rate_interval]))`, legend: 'behind' },
      ],
    }),
  ],
};

const processes = {
  title: 'Process',
  panels: [
    timeSeries({
      title: 'CPU', unit: units.ratio, width: 8,
      description: 'CPU time per second of each worker process (1 = one core).',
      queries: [{ expr: `sum by (instance) (rate(process_cpu_seconds_total${on()}[$__rate_interval]))`, legend: '{{instance}}' }],
    }),
    timeSeries({
      title: 'Memory', unit: units.bytes, width: 8,
      description: 'Resident set and used V8 heap of each worker process.',
      queries: [
        { expr: `sum by (instance) (process_resident_memory_bytes${on()})`, legend: '{{instance}} resident' },
        { expr: `sum by (instance) (nodejs_heap_size_used_bytes${on()})`, legend: '{{instance}} heap used' },
      ],
    }),
    timeSeries({
      title: 'Event-loop lag p99', unit: units.seconds, width: 8,
      description: 'A worker whose loop lags delays every stream it serves.',
      queries: [{ expr: `max by (instance) (nodejs_eventloop_lag_p99_seconds${on()})`, legend: '{{instance}}' }],
    }),
  ],
};

export function serviceDashboard(): Dashboard {
  return buildDashboard({
    uid: 'gameday-service',
    title: 'gameday / orchestrator service',
    description: 'The chat orchestrator from its /metrics: TTFT and turn latency, messages, errors, model tokens, cost and fallbacks, caches, sockets, summaries, process.',
    tags: ['service'],
    variables: [
      prometheusVariable(),
      labelVariable('instance', 'instance', 'ws_live_sockets', 'Service worker targets Prometheus scrapes.'),
    ],
    rows: [overview, latency, traffic, errors, model, caches, processes],
  });
}
