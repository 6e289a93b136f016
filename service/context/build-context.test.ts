import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startBedrockEmulator } from '../../stack/bedrock/server.js';
import { serviceErrors } from '../errors.js';
import { type BedrockLlm, createBedrockLlm } from '../llm/bedrock-llm.js';
import { capturedLogger, metricValue, testConfig, testMetrics } from '../llm/llm-test-kit.js';
import { createCatalogRetrieval } from '../retrieval/load-catalog.js';
import type { Retrieval } from '../retrieval/types.js';
import { buildContext } from './build-context.js';
import { Conversation, listedTitles, noSummariesUnderWay, runTurn } from './context-test-kit.js';
import { createSummariser } from './summariser.js';
import { estimateTokens } from './token-estimate.js';
import { fencedUserInput as fenced } from './user-input.js';

/** The id of the turn's `<user_input id="…">` fence, which is random per turn. */
function inputIdOf(text: string | undefined): string {
  return /<user_input id="([0-9a-f]{12})">/.exec(text ?? '')?.[1] ?? 'missing';
}

// A long session is mostly about manga; two store questions retrieve nothing, as they would.
const questions = [
  'ホラー漫画のおすすめを教えて', '送料はいくらですか', '異世界転生ものはありますか', '料理マンガでおすすめはありますか',
  '電子版はすぐ読めますか', 'ポイントはどう貯まりますか', 'SFの宇宙ものを探しています', 'スポーツ漫画の人気作は',
  'ミステリーのおすすめを紹介して', '恋愛マンガで泣けるものは',
];

let emulator: RunningEmulator;
let llm: BedrockLlm;
let retrieval: Retrieval;

beforeAll(async () => {
  emulator = await startBedrockEmulator({ timeScale: 0.01, seed: 3 });
  retrieval = await createCatalogRetrieval(testConfig(emulator.url));
});
afterAll(async () => {
  llm?.close();
  await emulator?.close();
});

describe('buildContext, hardened: a 6,000-token budget (seed 004 s1) with an entity-keeping summary (seed 000 s1, s3)', () => {
  it('keeps a 60-turn conversation within 6,000 estimated tokens, with the first exchange, recent turns and a summary', async () => {
    const config = testConfig(emulator.url);
    const metrics = testMetrics();
    llm = createBedrockLlm({ config, logger: capturedLogger().logger, metrics });
    const summariser = createSummariser({ llm, config, metrics });
    const conversation = new Conversation();
    let biggest = 0;
    for (let turn = 0; turn < 60; turn += 1) {
      const { built } = await runTurn(conversation, questions[turn % questions.length] as string, { config, llm, retrieval, summariser });
      const sent = estimateTokens(built.system) + built.messages.reduce((sum, message) => sum + estimateTokens(message.text), 0);
      expect(built.estimatedInputTokens).toBe(sent);
      expect(built.estimatedInputTokens).toBeLessThanOrEqual(config.context.inputBudgetTokens);
      biggest = Math.max(biggest, built.estimatedInputTokens);
      expect(built.messages.map((message) => message.role)).toEqual(
        built.messages.map((_, index) => (index % 2 === 0 ? 'user' : 'assistant')));
      if (turn >= 1) expect(built.messages[0]?.text).toBe(fenced(conversation.turns[0]?.content ?? '', inputIdOf(built.messages.at(-1)?.text)));
      if (turn >= 7) {
        expect(built.summarised).toBe(true);
        expect(built.droppedTurns).toBeGreaterThan(0);
        // first exchange + at least 3 recent turns + the question
        expect(built.messages.length).toBeGreaterThanOrEqual(2 + 3 + 1);
      }
      const last = built.messages.at(-1)?.text ?? '';
      expect(last.endsWith(`質問:\n${fenced(questions[turn % questions.length] as string, inputIdOf(last))}`)).toBe(true);
      expect(built.storedUserText).toBe(questions[turn % questions.length]);
      expect(built.retrievedProductIds.length).toBeLessThanOrEqual(3);
    }
    expect(conversation.turns).toHaveLength(120);
    expect(biggest).toBeGreaterThan(3_000);
    expect(await metricValue(metrics.summaries)).toBeGreaterThanOrEqual(50);
    expect(conversation.summary?.entities['2番目']).toBeDefined();
  }, 120_000);

  it('puts retrieval as 『title』（author, genre, 全N巻, ¥price, stock） lines and the entity map before the question', async () => {
    const config = testConfig(emulator.url);
    const conversation = new Conversation();
    conversation.append('こんにちは', 'いらっしゃいませ。');
    for (let i = 0; i < 8; i += 1) conversation.append(`質問${i}`, `回答${i}`);
    conversation.summary = { text: '要約: ホラーを探しています。', throughIdx: 7, entities: { '2番目': '真夜中の子守唄' } };
    const built = await buildContext({ config, session: conversation.load(config), question: 'ホラー漫画', retrieval, summaries: noSummariesUnderWay });
    const last = built.messages.at(-1)?.text ?? '';
    expect(last).toMatch(/\[これまでの会話の要約\]\n要約: ホラーを探しています。\nエンティティ: \{"2番目":"真夜中の子守唄"\}/);
    expect(last).toMatch(/\n『[^』]+』（[^,]+, ホラー, 全\d+巻, ¥[\d,]+, 在庫(あり|なし)）\n/);
    expect(last.indexOf('エンティティ')).toBeLessThan(last.indexOf('質問:\n<user_input'));
    expect(built).toMatchObject({ summarised: true, droppedTurns: 6, summaryBehind: { uncovered: 0, sentWhole: 0 } });
  });
});

describe('buildContext, naive fullHistory (seed 000 s1: the whole history, retrieval kept in it)', () => {
  it('grows about 2K tokens a turn, passes 80K with a warning, and passes 150K unrefused (the original had no pre-call check)', async () => {
    const config = testConfig(emulator.url, {}, { GAMEDAY_NAIVE: 'fullHistory' });
    const { logger, lines } = capturedLogger();
    const conversation = new Conversation();
    const sizes: number[] = [];
    for (let turn = 0; turn < 110; turn += 1) {
      const built = await buildContext({ config, session: conversation.load(config), question: questions[turn % questions.length] as string,
        retrieval, summaries: noSummariesUnderWay, logger });
      sizes.push(built.estimatedInputTokens);
      expect(built.storedUserText).toBe(built.messages.at(-1)?.text);
      // The model's answer: a list of three titles with their synopses, about 450 estimated tokens, as the emulator writes.
      const titles = built.retrievedProductIds.slice(0, 3);
      conversation.append(built.storedUserText, `おすすめを3作品ご紹介します。${titles.join('、')}。${'当ストアでは毎週火曜日と金曜日に新刊が入荷します。'.repeat(12)}`);
    }
    const perTurn = ((sizes.at(-1) ?? 0) - (sizes[0] ?? 0)) / (sizes.length - 1);
    expect(perTurn).toBeGreaterThan(1_400);
    expect(perTurn).toBeLessThan(3_000);
    expect(sizes[59]).toBeGreaterThan(config.context.warnAboveTokens);
    expect(sizes.at(-1)).toBeGreaterThan(config.context.refuseAboveTokens);
    expect(lines.some((line) => line.msg === 'context above the warning size')).toBe(true);
    expect(listedTitles('1. 『A』\n2. 『B』')).toEqual(['A', 'B']);
  });

  it('the hardened guard still refuses past 150K before any model call when the budget is misconfigured that large', async () => {
    const config = testConfig(emulator.url, { context: { inputBudgetTokens: 400_000 } });
    const conversation = new Conversation();
    for (let i = 0; i < 3; i += 1) conversation.append('漫'.repeat(40_000), '画'.repeat(40_000));
    await expect(buildContext({ config, session: conversation.load(config), question: 'おすすめは？', retrieval, summaries: noSummariesUnderWay }))
      .rejects.toMatchObject({ code: serviceErrors.contextTooLarge(0, 0).code });
  });
});
