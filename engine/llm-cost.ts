/** USD per 1M tokens (seed prices): Claude 3 Sonnet and Haiku on Bedrock. */
export const modelPrices = {
  sonnet: { input: 3, output: 15 },
  haiku: { input: 0.25, output: 1.25 },
} as const;

/**
 * What a turn cost, by the `model` its done names (a family or a Bedrock model id). A model we
 * cannot name is priced as Sonnet, the dearer, so a cost gate errs on the side of failing.
 * A cache answer reports zero usage and so costs nothing.
 */
export function turnCostUsd(model: string, usage: { inputTokens: number; outputTokens: number }): number {
  const price = /haiku/i.test(model) ? modelPrices.haiku : modelPrices.sonnet;
  return (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000;
}
