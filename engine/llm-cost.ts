/** USD per 1M tokens (seed prices): Claude 3 Sonnet and Haiku on Bedrock. */
export const modelPrices = {
  sonnet: { input: 3, output: 15 },
  haiku: { input: 0.25, output: 1.25 },
} as const;

export type ModelFamily = keyof typeof modelPrices;

export const modelFamilies = Object.keys(modelPrices) as ModelFamily[];

/** The family a done's `model` names; an unknown one is Sonnet, as turnCostUsd prices it. */
export function modelFamily(model: string): ModelFamily {
  return /haiku/i.test(model) ? 'haiku' : 'sonnet';
}

/** A per-model counter's name, as k6 names a submetric: `llm_cost_usd{model:haiku}`. */
export function perModel(metric: 'llm_input_tokens' | 'llm_output_tokens' | 'llm_cost_usd', family: ModelFamily): string {
  return `${metric}{model:${family}}`;
}

/**
 * What a turn cost, by the `model` its done names (a family or a Bedrock model id). A model we
 * cannot name is priced as Sonnet, the dearer, so a cost gate errs on the side of failing.
 * A cache answer reports zero usage and so costs nothing.
 */
export function turnCostUsd(model: string, usage: { inputTokens: number; outputTokens: number }): number {
  const price = modelPrices[modelFamily(model)];
  return (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000;
}
