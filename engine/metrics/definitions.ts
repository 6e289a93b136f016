import { modelFamilies, perModel } from '../llm-cost.ts';

export type MetricType = 'trend' | 'rate' | 'counter' | 'gauge';
export type MetricContains = 'time' | 'default';

export interface MetricDefinition {
  name: string;
  type: MetricType;
  contains?: MetricContains;
}

const time = (name: string): MetricDefinition => ({ name, type: 'trend', contains: 'time' });
const counter = (name: string): MetricDefinition => ({ name, type: 'counter' });
const rate = (name: string): MetricDefinition => ({ name, type: 'rate' });

/** Every metric of DESIGN.md: one name, one meaning, in the built-in engine and in the k6 scripts. */
export const chatMetrics: readonly MetricDefinition[] = Object.freeze([
  time('chat_ttft'),
  time('chat_turn_duration'),
  { name: 'llm_input_tokens_per_turn', type: 'trend', contains: 'default' },
  rate('chat_errors'),
  rate('ws_connect_failures'),
  counter('chat_messages'),
  // Turns a session never sent because the service ended it (refused its creation, its socket, a
  // turn): the load was offered, the service turned it away. Offered vs achieved counts them as achieved.
  counter('chat_turns_forfeited'),
  counter('session_context_lost'),
  counter('session_turns_lost'),
  counter('session_turns_duplicated'),
  counter('ws_reconnects'),
  // Answers the service started again on Haiku after their stream failed with text shown (a `restart` frame).
  counter('chat_restarts'),
  counter('llm_input_tokens'),
  counter('llm_output_tokens'),
  counter('llm_cost_usd'),
  counter('dropped_iterations'),
  counter('chat_input_too_long'),
  counter('payload_check_failures'),
  counter('coreference_misses'),
  // Sampled each second by the built-in engine (a k6 VU cannot see the others' sockets).
  { name: 'ws_open_sockets', type: 'gauge' },
  // The nightly suite's leak gate: the worst worker's resident-memory growth after warm-up, in %,
  // measured by the harness from /proc after the load (scenarios/run/worker-memory.ts), not by an engine.
  { name: 'service_rss_growth_percent', type: 'gauge' },
  // Tokens and cost by model, named as k6 names submetrics; the built-in engine records them.
  ...modelFamilies.flatMap((family) => (['llm_input_tokens', 'llm_output_tokens', 'llm_cost_usd'] as const).map((metric) => counter(perModel(metric, family)))),
]);
