import { describe, expect, it } from 'vitest';
import { parseAnthropicBody } from './anthropic-messages.js';
import { AwsError } from './aws-errors.js';

const valid = {
  anthropic_version: 'bedrock-2023-05-31',
  max_tokens: 300,
  system: 'あなたは漫画ストアの店員です。',
  messages: [
    { role: 'user', content: 'ホラー漫画を教えて' },
    { role: 'assistant', content: [{ type: 'text', text: '1. 『A』' }] },
    { role: 'user', content: [{ type: 'text', text: '2番目' }, { type: 'text', text: 'について' }] },
  ],
};

function rejection(body: unknown): AwsError {
  try {
    parseAnthropicBody(body);
  } catch (error) {
    if (error instanceof AwsError) return error;
    throw error;
  }
  throw new Error('the body was accepted');
}

describe('parseAnthropicBody', () => {
  it('reads string and block content, the system prompt and max_tokens', () => {
    expect(parseAnthropicBody(valid)).toEqual({
      system: 'あなたは漫画ストアの店員です。',
      maxTokens: 300,
      messages: [
        { role: 'user', text: 'ホラー漫画を教えて' },
        { role: 'assistant', text: '1. 『A』' },
        { role: 'user', text: '2番目\nについて' },
      ],
    });
  });

  it('accepts system as text blocks and ignores temperature and stop_sequences', () => {
    const parsed = parseAnthropicBody({ ...valid, system: [{ type: 'text', text: 'S' }], temperature: 0.2, stop_sequences: ['x'] });
    expect(parsed.system).toBe('S');
  });

  it.each([
    ['a missing max_tokens', { ...valid, max_tokens: undefined }, /required key \[max_tokens\] not found/],
    ['a missing anthropic_version', { ...valid, anthropic_version: undefined }, /required key \[anthropic_version\]/],
    ['a wrong anthropic_version', { ...valid, anthropic_version: '2023-06-01' }, /anthropic_version: 2023-06-01 is not a valid enum value/],
    ['max_tokens as a string', { ...valid, max_tokens: '300' }, /#\/max_tokens: expected type: Integer, found: String/],
    ['an unknown key', { ...valid, prompt: 'Human:' }, /extraneous key \[prompt\]/],
    ['messages that are not a list', { ...valid, messages: 'hi' }, /#\/messages: expected type: JSONArray/],
    ['a body that is a list', [valid], /expected type: JSONObject, found: JSONArray/],
  ])('rejects %s as a malformed request', (_case, body, message) => {
    const error = rejection(JSON.parse(JSON.stringify(body)));
    expect(error.type).toBe('ValidationException');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^Malformed input request: /);
    expect(error.message).toMatch(message);
  });

  it.each([
    ['an assistant first', [{ role: 'assistant', content: 'x' }], /first message must use the "user" role/],
    ['two user turns in a row', [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }], /roles must alternate/],
    ['an unknown role', [{ role: 'system', content: 'a' }], /messages\.0\.role/],
    ['an empty user message', [{ role: 'user', content: '' }], /non-empty content/],
    ['an image block', [{ role: 'user', content: [{ type: 'image', source: {} }] }], /only accepts text content blocks/],
    ['no messages', [], /at least one message/],
  ])('rejects %s the way the model does', (_case, messages, message) => {
    const error = rejection({ ...valid, messages });
    expect(error.type).toBe('ValidationException');
    expect(error.message).toMatch(message);
  });

  it('allows an empty final assistant message (a prefill)', () => {
    const parsed = parseAnthropicBody({ ...valid, messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: '' }] });
    expect(parsed.messages).toHaveLength(2);
  });

  it('refuses more than the 4,096 output tokens Claude 3 allows', () => {
    expect(rejection({ ...valid, max_tokens: 8192 }).message).toMatch(/max_tokens: 8192 > 4096/);
  });
});
