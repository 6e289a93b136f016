import { describe, expect, it } from 'vitest';
import { clipToTokens, estimateTokens } from './token-estimate.js';

describe('estimateTokens (seed 004: a JP character ≈ 1.5 tokens, any other ≈ 0.3)', () => {
  it.each([
    ['empty text costs nothing', '', 0],
    ['hiragana: 5 × 1.5', 'こんにちは', 8],
    ['kanji and katakana: 6 × 1.5', '新刊マンガ本', 9],
    ['CJK punctuation and full-width forms count as Japanese', '、。「」！？', 9],
    ['ASCII: 10 × 0.3', 'manga shop', 3],
    ['4,000 × あ is 6,000 tokens', 'あ'.repeat(4_000), 6_000],
    ['4,001 × A', 'A'.repeat(4_001), 1_201],
  ])('%s', (_name, text, tokens) => {
    expect(estimateTokens(text)).toBe(tokens);
  });

  it('counts 𠮷 (a surrogate pair) as one Japanese character, not two', () => {
    expect('𠮷'.length).toBe(2);
    expect(estimateTokens('𠮷')).toBe(2); // 1.5, rounded up
    expect(estimateTokens('𠮷田さんのマンガ')).toBe(estimateTokens('吉田さんのマンガ'));
  });

  it('counts an emoji as one other character per code point, ZWJ sequences by their parts', () => {
    expect(estimateTokens('🎉'.repeat(10))).toBe(3);
    expect(estimateTokens('👨‍👩‍👧')).toBe(Math.ceil(5 * 0.3)); // three people and two joiners
    expect(estimateTokens('新刊マンガ🎉おすすめ!')).toBe(Math.ceil(9 * 1.5 + 2 * 0.3));
  });

  it('runs in linear time on a megabyte', () => {
    const text = 'あa🎉'.repeat(250_000);
    expect(estimateTokens(text)).toBe(Math.ceil(250_000 * (1.5 + 0.3 + 0.3)));
  });
});

describe('clipToTokens', () => {
  it('keeps text within the limit, marks the cut, and never splits a surrogate pair', () => {
    const text = '𠮷'.repeat(100);
    const clipped = clipToTokens(text, 30);
    expect(estimateTokens(clipped)).toBeLessThanOrEqual(30);
    expect(clipped.endsWith('…')).toBe(true);
    expect(clipped.slice(0, -1)).toBe('𠮷'.repeat(19));
  });

  it('leaves text that fits alone', () => {
    expect(clipToTokens('こんにちは', 8)).toBe('こんにちは');
  });
});
