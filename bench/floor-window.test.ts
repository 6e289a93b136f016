import { describe, expect, it } from 'vitest';
import type { StoredMeta } from '../service/memory/dynamo-items.js';
import { hmacSigner, signSummary, signTurn, type StoredTurn } from '../service/memory/turn-signing.js';
import { copyAfterExchange, copyWithSummary, emptyCopy, type FloorCopy, floorWindow, modelBody, usableCopy } from './floor-window.js';

const signer = hmacSigner('floor-window-test-secret');

function stored(nextIdx: number, summaryThroughIdx = -1): StoredMeta {
  return {
    meta: {
      sessionId: 'session-0123456789abcdefgh', customerId: 'c', ownerTokenHash: 'h', turnCount: nextIdx / 2, nextIdx,
      createdAt: 1, updatedAt: 1, expiresAt: 0,
    },
    summaryThroughIdx,
  };
}

function exchange(idx: number): [StoredTurn, StoredTurn] {
  const base = { messageId: `m-${idx}`, ts: 1_000 + idx };
  return [
    signTurn(signer, { ...base, idx, role: 'user', content: `question ${idx}` }),
    signTurn(signer, { ...base, idx: idx + 1, role: 'assistant', content: `answer ${idx + 1}` }),
  ];
}

/** A session after `exchanges` exchanges, as the floor's copy holds it. */
function copyAfter(exchanges: number, capacity = 20): FloorCopy {
  let copy = emptyCopy(stored(0));
  for (let k = 0; k < exchanges; k += 1) copy = copyAfterExchange(copy, exchange(2 * k), capacity);
  return copy;
}

describe('the floor server\'s session copy', () => {
  it('follows META after each exchange and keeps the first exchange and the newest turns', () => {
    const copy = copyAfter(12);
    expect(copy.stored.meta.nextIdx).toBe(24);
    expect(copy.stored.meta.turnCount).toBe(12);
    expect(copy.firstTurns.map((turn) => turn.idx)).toEqual([0, 1]);
    expect(copy.turns.map((turn) => turn.idx)).toEqual(Array.from({ length: 20 }, (_, i) => i + 4));
  });

  it('is served only when its version matches META and every signature verifies', () => {
    const copy = copyAfter(3);
    const text = JSON.stringify(copy);
    expect(usableCopy(text, stored(6), signer)?.turns).toHaveLength(6);
    expect(usableCopy(text, stored(8), signer)).toBeNull();
    expect(usableCopy(text, stored(6, 1), signer)).toBeNull();
    expect(usableCopy(null, stored(6), signer)).toBeNull();
    expect(usableCopy('not json', stored(6), signer)).toBeNull();
    const planted = { ...copy, turns: copy.turns.map((turn, i) => (i === 2 ? { ...turn, content: 'planted' } : turn)) };
    expect(usableCopy(JSON.stringify(planted), stored(6), signer)).toBeNull();
  });

  it('serves a copy carrying a signed summary, and refuses one whose summary was changed', () => {
    const summary = signSummary(signer, { text: 'so far', throughIdx: 3, entities: { '1番目': 'A' } });
    const copy = copyWithSummary(copyAfter(3), summary);
    expect(usableCopy(JSON.stringify(copy), stored(6, 3), signer)?.summary?.text).toBe('so far');
    const changed = { ...copy, summary: { ...summary, text: 'changed' } };
    expect(usableCopy(JSON.stringify(changed), stored(6, 3), signer)).toBeNull();
  });
});

describe('the floor server\'s context window', () => {
  it('drops nothing while the first exchange and 10 turns hold the session', () => {
    const window = floorWindow(copyAfter(6), 10);
    expect(window.turns).toHaveLength(12);
    expect(window.unsummarised).toEqual([]);
  });

  it('once it slides, the dropped turns no summary covers are due', () => {
    const window = floorWindow(copyAfter(7), 10);
    expect(window.turns.map((turn) => turn.idx)).toEqual([0, 1, ...Array.from({ length: 10 }, (_, i) => i + 4)]);
    expect(window.unsummarised.map((turn) => turn.idx)).toEqual([2, 3]);
  });

  it('a summary through the dropped turns leaves none due until the window slides again', () => {
    const summary = signSummary(signer, { text: 's', throughIdx: 3, entities: {} });
    const summarised = copyWithSummary(copyAfter(7), summary);
    expect(floorWindow(summarised, 10).unsummarised).toEqual([]);
    const slid = copyAfterExchange(summarised, exchange(14), 20);
    expect(floorWindow(slid, 10).unsummarised.map((turn) => turn.idx)).toEqual([4, 5]);
  });

  it('asks the model with the window, then the summary block and the question', () => {
    const summary = signSummary(signer, { text: 'so far', throughIdx: 3, entities: { '1番目': 'A' } });
    const copy = copyWithSummary(copyAfter(7), summary);
    const body = JSON.parse(modelBody(floorWindow(copy, 10), copy.summary, '2番目は？', 1_024)) as {
      max_tokens: number; system: string; messages: Array<{ role: string; content: string }>;
    };
    expect(body.max_tokens).toBe(1_024);
    expect(body.system.length).toBeGreaterThan(0);
    expect(body.messages).toHaveLength(13);
    expect(body.messages.at(-1)).toEqual({ role: 'user', content: '[これまでの会話の要約]\nso far\nエンティティ: {"1番目":"A"}\n\n質問: 2番目は？' });
  });
});
