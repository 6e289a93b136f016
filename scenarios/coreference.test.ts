import { describe, expect, it } from 'vitest';
import { type ChatTurn, respond } from '../stack/bedrock/responder.js';
import { seededRandom } from '../stack/random.js';
import { expectTitleAt, lastListSeen, numberedTitles, unresolvedReply } from './kit/coreference.js';
import { listRequest, ordinalAsk, readingNotes } from './kit/manga-questions.js';

const reply = (messages: ChatTurn[], system = '') =>
  respond({ system, messages, maxTokens: 1_024 }, { family: 'sonnet', random: seededRandom(7), targetOutputTokens: 300 }).text;

const listQuestion = listRequest(seededRandom(3), 'ミステリー');
const listReply = reply([{ role: 'user', text: listQuestion }]);
const list = numberedTitles(listReply) as string[];

describe('coreference checks against the Bedrock emulator\'s own answers', () => {
  it('the emulator\'s unresolved sentence is the one the check looks for', () => {
    expect(unresolvedReply).toBe('すみません、どの作品のことか分かりません。');
    expect(list).toHaveLength(3);
  });

  it('passes when the model saw the list: "2番目のやつ" is answered with the second title', () => {
    const question = ordinalAsk(seededRandom(1), 2);
    const answer = reply([{ role: 'user', text: listQuestion }, { role: 'assistant', text: listReply }, { role: 'user', text: question }]);
    expect(answer).toContain(`『${list[1]}』`);
    expect(expectTitleAt(2)(answer, { previousReplies: [listReply] })).toBeNull();
  });

  it('passes when only a summary\'s entity map holds the list (the hardened window after 14 turns)', () => {
    const entities = `エンティティ: ${JSON.stringify({ '1番目': list[0], '2番目': list[1], '3番目': list[2] })}`;
    const answer = reply([{ role: 'user', text: `[これまでの会話の要約]\n${entities}\n\n質問: ${ordinalAsk(seededRandom(2), 3)}` }]);
    expect(expectTitleAt(3)(answer, { previousReplies: [listReply, 'ご質問ありがとうございます。'] })).toBeNull();
  });

  it('counts a miss when the model lost the list (seed 002: "I\'m sorry, what are you referring to?")', () => {
    const notes = Array.from({ length: 3 }, (_, seed): ChatTurn[] => [
      { role: 'user', text: readingNotes(seededRandom(seed), 300) }, { role: 'assistant', text: 'ご質問ありがとうございます。' },
    ]).flat();
    const answer = reply([...notes, { role: 'user', text: ordinalAsk(seededRandom(4), 2) }]);
    expect(answer).toContain(unresolvedReply);
    expect(expectTitleAt(2)(answer, { previousReplies: [listReply] })).toMatch(/no longer knew the list/);
  });

  it('counts a miss when the answer is about another title than the one the client saw', () => {
    const answer = `1番目の作品は『${list[0]}』です。`;
    expect(expectTitleAt(2)(answer, { previousReplies: [listReply] })).toMatch(/something else/);
  });

  it('checks against the newest list the client saw, and has nothing to check without one', () => {
    const newer = reply([{ role: 'user', text: listRequest(seededRandom(9), 'スポーツ') }]);
    expect(lastListSeen([listReply, 'ご質問ありがとうございます。', newer])).toEqual(numberedTitles(newer));
    expect(expectTitleAt(1)('何でも', { previousReplies: ['ご質問ありがとうございます。'] })).toBeNull();
  });
});
