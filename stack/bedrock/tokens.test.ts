import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.js';
import { countConversationTokens, countTokens, splitTokens, truncateToTokens } from './tokens.js';

const alphabet = [
  'a', 'Z', '7', ' ', ' ', '\n', '\t', '.', '!', '"', '{', 'é', 'ж', '…', 'あ', 'カ', '漫', '画', '、', '。',
  '「', '」', 'Ａ', 'ｶ', '🎉', '𠮷', '👨‍👩‍👧', '❤️', '\u200d', '\ufe0f', '\ud83c', '\udf89', '한',
];

function randomText(random: () => number, length: number): string {
  let text = '';
  for (let i = 0; i < length; i += 1) text += alphabet[Math.floor(random() * alphabet.length)];
  return text;
}

describe('countTokens', () => {
  it('charges about one token per 4 letters of an English word, a space riding with its word', () => {
    expect(splitTokens('hello world')).toEqual(['hell', 'o', ' worl', 'd']);
    expect(countTokens('manga')).toBe(2);
    const english = 'The store recommends three new horror titles for the weekend sale. '.repeat(20);
    const perToken = english.length / countTokens(english);
    expect(perToken).toBeGreaterThan(3);
    expect(perToken).toBeLessThan(5.5);
  });

  it('charges a token for every kanji, kana and full-width character', () => {
    expect(countTokens('こんにちは')).toBe(5);
    expect(countTokens('漫画を探しています')).toBe(9);
    expect(countTokens('ＡＢＣ')).toBe(3);
    const japanese = 'おすすめのホラー漫画を教えてください。';
    const english = 'Please recommend a horror manga to me.';
    expect(countTokens(japanese) / japanese.length).toBeGreaterThan(2 * countTokens(english) / english.length);
  });

  it('charges 2 to 3 tokens for an emoji or astral character, and never splits a surrogate pair', () => {
    expect(countTokens('🎉')).toBe(2);
    expect(countTokens('𠮷')).toBe(2);
    expect(countTokens('❤️')).toBe(2);
    expect(countTokens('🎉\ufe0f')).toBe(3);
    expect(countTokens('👨‍👩‍👧')).toBe(8);
    expect(splitTokens('𠮷田')).toEqual(['𠮷', '', '田']);
  });

  it('keeps whitespace and ASCII punctuation cheap', () => {
    expect(countTokens(' '.repeat(8))).toBe(1);
    expect(countTokens('\n\n')).toBe(1);
    expect(countTokens('!?!?')).toBe(2);
    expect(countTokens('')).toBe(0);
  });
});

describe('splitTokens', () => {
  it('agrees with countTokens and rejoins to the exact text on seeded random mixed text', () => {
    const random = seededRandom(42);
    for (let round = 0; round < 300; round += 1) {
      const text = randomText(random, Math.floor(random() * 80));
      const pieces = splitTokens(text);
      expect(pieces.join('')).toBe(text);
      expect(pieces.length).toBe(countTokens(text));
      let offset = 0;
      for (const piece of pieces) {
        // A piece may hold a lone surrogate from the input, but never half of a pair.
        const end = offset + piece.length;
        const cutInsidePair = end > 0 && end < text.length
          && /[\ud800-\udbff]/.test(text.charAt(end - 1)) && /[\udc00-\udfff]/.test(text.charAt(end));
        expect(cutInsidePair).toBe(false);
        offset = end;
      }
    }
  });

  it('splits any prefix of its pieces back into the same pieces, so a cut count is exact', () => {
    const random = seededRandom(7);
    for (let round = 0; round < 200; round += 1) {
      const pieces = splitTokens(randomText(random, 40));
      for (let keep = 0; keep <= pieces.length; keep += 1) {
        if (pieces[keep] === '') continue;
        expect(countTokens(pieces.slice(0, keep).join(''))).toBe(keep);
      }
    }
  });
});

describe('truncateToTokens', () => {
  it('keeps exactly maxTokens, or one less rather than half an astral character', () => {
    expect(truncateToTokens('hello world', 2)).toBe('hello');
    expect(truncateToTokens('hello', 10)).toBe('hello');
    expect(truncateToTokens('あ🎉い', 2)).toBe('あ');
    expect(truncateToTokens('あ🎉い', 3)).toBe('あ🎉');
    const random = seededRandom(3);
    for (let round = 0; round < 200; round += 1) {
      const text = randomText(random, 50);
      const limit = Math.floor(random() * 40);
      const cut = truncateToTokens(text, limit);
      expect(text.startsWith(cut)).toBe(true);
      expect(countTokens(cut)).toBeLessThanOrEqual(limit);
      expect(countTokens(cut)).toBeGreaterThanOrEqual(Math.min(limit, countTokens(text)) - 1);
    }
  });
});

describe('countConversationTokens', () => {
  it('adds a small fixed overhead per message on top of the text', () => {
    const messages = [{ role: 'user', text: 'こんにちは' }, { role: 'assistant', text: 'hello' }];
    const text = countTokens('system prompt') + countTokens('こんにちは') + countTokens('hello');
    const total = countConversationTokens('system prompt', messages);
    expect(total).toBeGreaterThan(text);
    expect(total - text).toBeLessThan(20);
    expect(countConversationTokens('system prompt', [...messages, { role: 'user', text: '' }])).toBeGreaterThan(total);
  });
});

describe('speed', () => {
  // Quadratic work on 1 MB would be ~10^12 steps; linear is milliseconds. The bound is loose
  // on purpose so a busy 2-core machine cannot make it flaky.
  it.each([
    ['mixed JP and ASCII', 'マンガ manga 🎉 、。 '.repeat(70_000)],
    ['one endless word', 'a'.repeat(1_048_576)],
    ['spaces then one word', `${' '.repeat(1_048_570)}word`],
    ['astral characters', '𠮷'.repeat(524_288)],
  ])('counts and splits 1 MB of %s in linear time', (_name, text) => {
    const started = performance.now();
    const count = countTokens(text);
    expect(splitTokens(text).length).toBe(count);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
