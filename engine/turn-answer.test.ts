import { describe, expect, it } from 'vitest';
import { type AnswerSoFar, heardChunk, heardRestart, ttftOf } from './turn-answer.js';

const at = (ms: number) => () => ms;

describe('the answer a client has heard for its turn', () => {
  it('a restart voids the text heard so far; the time to first token stays the first chunk\'s', () => {
    const answer: AnswerSoFar<string> = { firstChunkAt: -1, parts: [] };
    expect(ttftOf(answer, 100)).toBeNull();
    heardChunk(answer, 'ソネットの', at(250));
    heardChunk(answer, '途中まで', at(300));
    heardRestart(answer);
    heardChunk(answer, 'ハイクの', at(900));
    heardChunk(answer, '答え', at(950));
    expect(answer.parts?.join('')).toBe('ハイクの答え');
    expect(ttftOf(answer, 100)).toBe(150);
  });

  it('a caller that keeps no reply keeps none after a restart either', () => {
    const answer: AnswerSoFar<string> = { firstChunkAt: -1, parts: null };
    heardChunk(answer, 'x', at(1));
    heardRestart(answer);
    heardChunk(answer, 'y', at(2));
    expect(answer.parts).toBeNull();
    expect(ttftOf(answer, 0)).toBe(1);
  });
});
