import { type RunEntry, metricValue } from './run-entry.js';
import { modelFamilies, modelPrices, perModel, turnCostUsd } from '../engine/llm-cost.js';

export interface PerUnit { inputTokens: number; outputTokens: number; costUsd: number }

export interface CostLine {
  /** "measured" is the run's own cost (each turn priced by the model that answered it). */
  label: string;
  prices: { input: number; output: number } | null;
  total: PerUnit;
  per1000Messages: PerUnit | null;
  perSession: PerUnit | null;
}

export interface CostFigures {
  messages: number | null;
  sessions: number | null;
  lines: CostLine[];
}

const modelNames: Record<keyof typeof modelPrices, string> = { sonnet: 'Claude 3 Sonnet', haiku: 'Claude 3 Haiku' };

function per(total: PerUnit, units: number | null, times = 1): PerUnit | null {
  if (units === null || units <= 0) return null;
  const factor = times / units;
  return { inputTokens: total.inputTokens * factor, outputTokens: total.outputTokens * factor, costUsd: total.costUsd * factor };
}

/**
 * Tokens and cost per 1,000 messages and per session, by model where the run counted them by
 * model (the built-in engine: `llm_cost_usd{model:haiku}`…). A k6 run counts only totals: then
 * beside the measured cost each model's line prices all the run's tokens at that model's rates
 * (engine/llm-cost.ts), the bounds the measured mix falls between. Sessions come from the audit
 * of the store (a --target run has none).
 */
export function costFigures(entry: RunEntry): CostFigures | null {
  const inputTokens = metricValue(entry, 'llm_input_tokens', 'count');
  const outputTokens = metricValue(entry, 'llm_output_tokens', 'count');
  if (inputTokens === null && outputTokens === null) return null;
  const messages = metricValue(entry, 'chat_messages', 'count');
  const sessions = entry.audit && 'sessions' in entry.audit ? entry.audit.sessions : null;
  const tokens = { inputTokens: inputTokens ?? 0, outputTokens: outputTokens ?? 0 };
  const line = (label: string, prices: CostLine['prices'], total: PerUnit): CostLine =>
    ({ label, prices, total, per1000Messages: per(total, messages, 1000), perSession: per(total, sessions) });
  const measured = metricValue(entry, 'llm_cost_usd', 'count');
  const measuredLine = measured === null ? [] : [line('measured (each turn at its model\'s price)', null, { ...tokens, costUsd: measured })];
  const byModel = modelFamilies.flatMap((model) => {
    const costUsd = metricValue(entry, perModel('llm_cost_usd', model), 'count');
    if (costUsd === null) return [];
    const own = {
      inputTokens: metricValue(entry, perModel('llm_input_tokens', model), 'count') ?? 0,
      outputTokens: metricValue(entry, perModel('llm_output_tokens', model), 'count') ?? 0,
    };
    return [line(`${modelNames[model]} (its turns)`, { ...modelPrices[model] }, { ...own, costUsd })];
  });
  if (byModel.length > 0) return { messages, sessions, lines: [...measuredLine, ...byModel] };
  const models = modelFamilies.map((model) =>
    line(`all at ${modelNames[model]} prices`, { ...modelPrices[model] }, { ...tokens, costUsd: turnCostUsd(model, tokens) }));
  return { messages, sessions, lines: [...measuredLine, ...models] };
}
