import { InvokeModelWithResponseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall, anthropicBody, bedrockClient, decodeChunk } from './emulator-test-kit.js';
import { modelIds } from './models.js';
import { type RunningEmulator, startBedrockEmulator } from './server.js';
import { countTokens } from './tokens.js';

let emulator: RunningEmulator;
beforeAll(async () => { emulator = await startBedrockEmulator({ timeScale: 0.2, targetOutputTokens: 150 }); });
afterAll(async () => { await emulator?.close(); });

describe('many streams at once', () => {
  it('completes 300 concurrent streams over one h2c client, each whole and with exact usage', async () => {
    const client = bedrockClient(emulator.url);
    try {
      const outcomes = await Promise.all(Array.from({ length: 300 }, async (_, index) => {
        const response = await client.send(new InvokeModelWithResponseStreamCommand({
          modelId: index % 3 === 0 ? modelIds.sonnet : modelIds.haiku,
          body: anthropicBody(`質問 ${index}: おすすめの漫画は?`),
        }));
        let text = '';
        let reported = -1;
        for await (const event of response.body ?? []) {
          const data = decodeChunk(event.chunk?.bytes);
          if (data.type === 'content_block_delta') text += (data.delta as { text: string }).text;
          if (data.type === 'message_delta') reported = (data.usage as { output_tokens: number }).output_tokens;
        }
        return { tokens: countTokens(text), reported };
      }));
      expect(outcomes.every((outcome) => outcome.tokens > 0 && outcome.tokens === outcome.reported)).toBe(true);
      const { body } = await adminCall(emulator.adminUrl, 'GET', '/stats');
      expect(body).toMatchObject({ total: 300, byOutcome: { ok: 300 }, activeStreams: 0 });
    } finally {
      client.destroy();
    }
  });
});
