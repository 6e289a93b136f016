import { describe, expect, it } from 'vitest';
import { AwsError } from './aws-errors.js';
import { parseConverseBody } from './converse.js';

function rejection(body: unknown): AwsError {
  try {
    parseConverseBody(body);
  } catch (error) {
    if (error instanceof AwsError) return error;
    throw error;
  }
  throw new Error('the body was accepted');
}

describe('parseConverseBody', () => {
  it('reads messages, system blocks and inferenceConfig.maxTokens', () => {
    expect(parseConverseBody({
      system: [{ text: 'S1' }, { text: 'S2' }],
      messages: [{ role: 'user', content: [{ text: 'こんにちは' }] }, { role: 'assistant', content: [{ text: 'はい' }] },
        { role: 'user', content: [{ text: '続けて' }] }],
      inferenceConfig: { maxTokens: 256, temperature: 0.5 },
    })).toEqual({
      system: 'S1\nS2',
      maxTokens: 256,
      messages: [{ role: 'user', text: 'こんにちは' }, { role: 'assistant', text: 'はい' }, { role: 'user', text: '続けて' }],
    });
  });

  it('defaults maxTokens to the model maximum', () => {
    expect(parseConverseBody({ messages: [{ role: 'user', content: [{ text: 'a' }] }] }).maxTokens).toBe(4096);
  });

  it.each([
    ['no messages', {}, /Value null at 'messages' failed to satisfy constraint/],
    ['an assistant first', { messages: [{ role: 'assistant', content: [{ text: 'a' }] }] }, /must start with a user message/],
    ['repeated roles', { messages: [{ role: 'user', content: [{ text: 'a' }] }, { role: 'user', content: [{ text: 'b' }] }] },
      /must alternate between user and assistant/],
    ['blank text', { messages: [{ role: 'user', content: [{ text: '' }] }] }, /is blank/],
    ['a bad role', { messages: [{ role: 'bot', content: [{ text: 'a' }] }] }, /enum value set: \[user, assistant\]/],
    ['maxTokens of 0', { messages: [{ role: 'user', content: [{ text: 'a' }] }], inferenceConfig: { maxTokens: 0 } },
      /inferenceConfig.maxTokens/],
    ['maxTokens above the model limit', { messages: [{ role: 'user', content: [{ text: 'a' }] }], inferenceConfig: { maxTokens: 9000 } },
      /exceeds the model limit of 4096/],
  ])('rejects %s with a ValidationException', (_case, body, message) => {
    const error = rejection(body);
    expect(error.type).toBe('ValidationException');
    expect(error.message).toMatch(message);
  });
});
