/** The two Claude 3 models the store's chatbot calls, as the emulator serves them. */
export type ModelFamily = 'sonnet' | 'haiku';

export interface ModelInfo {
  id: string;
  family: ModelFamily;
  maxInputTokens: number;
  /** USD per million tokens, the on-demand list prices the incident documents quote. */
  pricePerMillion: { input: number; output: number };
}

export const modelIds: { sonnet: string; haiku: string } = {
  sonnet: 'anthropic.claude-3-sonnet-20240229-v1:0',
  haiku: 'anthropic.claude-3-haiku-20240307-v1:0',
};

const models: ReadonlyArray<ModelInfo> = [
  { id: modelIds.sonnet, family: 'sonnet', maxInputTokens: 200_000, pricePerMillion: { input: 3, output: 15 } },
  { id: modelIds.haiku, family: 'haiku', maxInputTokens: 200_000, pricePerMillion: { input: 0.25, output: 1.25 } },
];

// Cross-region inference profiles put a geography in front of the model id ('us.anthropic.…').
const profilePrefixes = ['us.', 'eu.', 'apac.', 'us-gov.', 'ca.', 'jp.', 'au.', 'global.'];

/**
 * The model behind a model id, an inference-profile id, or an ARN of either
 * ('arn:aws:bedrock:us-east-1::foundation-model/anthropic.…'), since clients send all three.
 */
export function findModel(modelIdOrProfile: string): ModelInfo | undefined {
  let id = modelIdOrProfile.trim();
  if (id.startsWith('arn:')) id = id.slice(id.lastIndexOf('/') + 1);
  const prefix = profilePrefixes.find((candidate) => id.startsWith(candidate));
  if (prefix) id = id.slice(prefix.length);
  return models.find((model) => model.id === id);
}
