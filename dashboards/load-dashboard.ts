import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { k6TrendStats, k6TrendStatsEnv, trendStatSuffix } from './k6-naming.js';
import { buildDashboard, labelVariable, prometheusVariable, stat, timeSeries, units, type Query } from './panels.js';

/**
 * A load run as k6 writes it to Prometheus (`k6 run -o experimental-prometheus-rw`, with
 * K6_PROMETHEUS_RW_TREND_STATS set as below): our custom metrics (engine/metrics/definitions.ts)
 * under k6's remote-write names (k6-naming.ts). Trend stats are cumulative over the run and in
 * seconds for time trends; counters are cumulative; a rate is the share so far, 0..1.
 * Percentiles of several generators (k6-operator) do not merge: `max` across them is an upper bound.
 */

const ttftSloSeconds = 3;
const on = '{incident=~"$incident"}';

function trendStats(metric: string): Query[] {
  return k6TrendStats.map(trendStatSuffix).map((stat) => ({ expr: `max(k6_${metric}_${stat}${on})`, legend: stat }));
}

const runTotal = (counter: string) => `sum(max_over_time(k6_${counter}_total${on}[$__range]))`;
const soFar = (counter: string) => `sum by (incident) (k6_${counter}_total${on})`;
const perSecond = (counter: string) => `sum(rate(k6_${counter}_total${on}[$__rate_interval]))`;

const overview = {
  title: 'Overview (the run in the dashboard\'s time range)',
  panels: [
    stat({
      title: 'TTFT p95 at the client', unit: units.seconds, redFrom: ttftSloSeconds,
      description: 'chat_ttft p95 over the run so far (worst generator). Gate: under 3 s.',
      queries: [{ expr: `max(last_over_time(k6_chat_ttft_p95${on}[$__range]))` }],
    }),
    stat({
      title: 'Messages sent', unit: units.count,
      description: 'chat_messages: turns the clients sent.',
      queries: [{ expr: runTotal('chat_messages') }],
    }),
    stat({
      title: 'Errored turns', unit: units.ratio, redFrom: 0.01,
      description: 'chat_errors: share of turns that ended in an error or timeout. Gate: under 1%.',
      queries: [{ expr: `max(last_over_time(k6_chat_errors_rate${on}[$__range]))` }],
    }),
    stat({
      title: 'Context lost', unit: units.count, redFrom: 1,
      description: 'session_context_lost: answers whose turn count was behind the client\'s. Gate: none.',
      queries: [{ expr: runTotal('session_context_lost') }],
    }),
  ],
};

const load = {
  title: 'Load',
  panels: [
    timeSeries({
      title: 'Virtual users', unit: units.count, width: 8,
      description: 'k6 VUs: one per open chat session.',
      queries: [{ expr: `sum(k6_vus${on})`, legend: 'vus' }, { expr: `sum(k6_vus_max${on})`, legend: 'vus max' }],
    }),
    timeSeries({
      title: 'Messages and sessions per second', unit: units.count, width: 8,
      description: 'chat_messages and k6 iterations (one iteration is one session) per second; chat_turns_forfeited: turns a '
        + 'session never sent because the service ended it (offered, and turned away).',
      queries: [
        { expr: perSecond('chat_messages'), legend: 'messages' }, { expr: perSecond('iterations'), legend: 'sessions' },
        { expr: perSecond('chat_turns_forfeited'), legend: 'forfeited turns' },
      ],
    }),
    timeSeries({
      title: 'Dropped iterations per second', unit: units.count, width: 8,
      description: 'Sessions the arrival-rate executor could not start: the generator, not the service, fell behind.',
      queries: [{ expr: perSecond('dropped_iterations'), legend: 'dropped' }],
    }),
  ],
};

const latency = {
  title: 'Latency at the client',
  panels: [
    timeSeries({
      title: 'Time to first token', unit: units.seconds, redFrom: ttftSloSeconds,
      description: 'chat_ttft: send to first non-empty streamed token, over the run so far. The dashed line is the 3 s SLO.',
      queries: trendStats('chat_ttft'),
    }),
    timeSeries({
      title: 'Turn duration', unit: units.seconds,
      description: 'chat_turn_duration: send to the final chunk, over the run so far.',
      queries: trendStats('chat_turn_duration'),
    }),
  ],
};

const errors = {
  title: 'Errors and lost context',
  panels: [
    timeSeries({
      title: 'Errored turns and failed connects', unit: units.ratio, redFrom: 0.01,
      description: 'chat_errors and ws_connect_failures: shares so far, by incident.',
      queries: [
        { expr: `max by (incident) (k6_chat_errors_rate${on})`, legend: '{{incident}} turns' },
        { expr: `max by (incident) (k6_ws_connect_failures_rate${on})`, legend: '{{incident}} connects' },
      ],
    }),
    timeSeries({
      title: 'Lost and duplicated context (count so far)', unit: units.count,
      description: 'session_context_lost during the run; session_turns_lost and _duplicated from the end-of-run audit of the store.',
      queries: [
        { expr: soFar('session_context_lost'), legend: '{{incident}} context lost' },
        { expr: soFar('session_turns_lost'), legend: '{{incident}} turns lost' },
        { expr: soFar('session_turns_duplicated'), legend: '{{incident}} turns duplicated' },
      ],
    }),
    timeSeries({
      title: 'Reconnects and restarted answers per second', unit: units.count,
      description: 'ws_reconnects: sockets the clients opened again (carrier NAT drops, killed tasks); '
        + 'chat_restarts: answers the service started again on Haiku after their model stream stalled or failed mid-answer.',
      queries: [{ expr: perSecond('ws_reconnects'), legend: 'reconnects' }, { expr: perSecond('chat_restarts'), legend: 'restarted answers' }],
    }),
    timeSeries({
      title: 'Incident checks (count so far)', unit: units.count,
      description: 'chat_input_too_long (long-session), payload_check_failures (jp-emoji), coreference_misses (long-session).',
      queries: [
        { expr: soFar('chat_input_too_long'), legend: '{{incident}} input too long' },
        { expr: soFar('payload_check_failures'), legend: '{{incident}} payload check failures' },
        { expr: soFar('coreference_misses'), legend: '{{incident}} coreference misses' },
      ],
    }),
  ],
};

const model = {
  title: 'Model usage the clients saw',
  panels: [
    timeSeries({
      title: 'Tokens per second', unit: units.count, width: 8,
      description: 'llm_input_tokens and llm_output_tokens from the usage in each done frame.',
      queries: [{ expr: perSecond('llm_input_tokens'), legend: 'input' }, { expr: perSecond('llm_output_tokens'), legend: 'output' }],
    }),
    timeSeries({
      title: 'Model cost so far', unit: units.usd, width: 8,
      description: 'llm_cost_usd: list-price cost of the answers the clients got.',
      queries: [{ expr: soFar('llm_cost_usd'), legend: '{{incident}}' }],
    }),
    timeSeries({
      title: 'Input tokens per turn', unit: units.count, width: 8,
      description: 'llm_input_tokens_per_turn over the run so far: bounded when the context window works (long-session).',
      queries: trendStats('llm_input_tokens_per_turn'),
    }),
  ],
};

export function loadDashboard(): Dashboard {
  return buildDashboard({
    uid: 'gameday-load',
    title: 'gameday / load run (k6)',
    description: `A k6 load run from its Prometheus remote-write output: run k6 with -o experimental-prometheus-rw and K6_PROMETHEUS_RW_TREND_STATS=${k6TrendStatsEnv}.`,
    tags: ['k6', 'load'],
    variables: [
      prometheusVariable(),
      labelVariable('incident', 'incident', 'k6_chat_messages_total', 'The incident each k6 script tags its samples with.'),
    ],
    rows: [overview, load, latency, errors, model],
  });
}
