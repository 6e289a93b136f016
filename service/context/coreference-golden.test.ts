import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unresolvedSentence } from '../../stack/bedrock/responder.js';
import { type RunningEmulator, startBedrockEmulator } from '../../stack/bedrock/server.js';
import type { ServiceConfig } from '../config.js';
import { type BedrockLlm, createBedrockLlm } from '../llm/bedrock-llm.js';
import { capturedLogger, testConfig, testMetrics } from '../llm/llm-test-kit.js';
import { createCatalogRetrieval } from '../retrieval/load-catalog.js';
import { Conversation, listedTitles, runTurn, type TurnDeps } from './context-test-kit.js';
import { createSummariser } from './summariser.js';
import type { Summariser, SummarySource } from './types.js';

/**
 * Seed 000 s3's golden set: a list of three titles, twelve more turns (so the list falls out
 * of the window), then "the second one". Hardened, the summary's entity map names the right
 * title; with the summary left out (the seed's bug), the model cannot tell which one is meant.
 */
const fillers = [
  '送料はいくらですか', '支払い方法は何がありますか', '電子版はすぐ読めますか', 'ポイントはどう貯まりますか',
  '新刊はいつ入荷しますか', '取り寄せはできますか', '配送にはどれくらいかかりますか', '会員登録は必要ですか',
  '限定版はありますか', '試し読みはできますか', 'まとめ買いは安くなりますか', '営業時間は何時までですか',
];

const conversations: Array<{ opening: string; cases: Array<[question: string, position: 1 | 2 | 3]> }> = [
  { opening: 'ホラー漫画のおすすめを教えて', cases: [
    ['2番目のやつの値段は？', 2], ['二つ目の作品は何巻まで出ていますか', 2], ['最初の作品について詳しく', 1], ['最後のやつはどんな話？', 3],
  ] },
  { opening: '料理マンガでおすすめはありますか', cases: [
    ['3番目のは在庫ありますか', 3], ['Is the second one available as a box set?', 2], ['１番目のやつ', 1], ['三番目の作品の作者は？', 3],
  ] },
  { opening: 'SFのおすすめを紹介して', cases: [
    ['2番目のやつ', 2], ['the first one の値段は？', 1], ['二番目のやつ、まだ買えますか', 2], ['3つ目のやつは完結してますか', 3],
  ] },
];

// A summary whose making outlasts the turn's wait (Haiku slow, or the customer typed fast).
const stillBeingMade: SummarySource = { latest: () => null, inFlight: () => new Promise(() => undefined) };

const forgetful: Summariser = {
  summarise: (turns) => Promise.resolve({ text: '', entities: {}, throughIdx: turns.at(-1)?.idx ?? -1 }),
};

let emulator: RunningEmulator;
let llm: BedrockLlm;
let config: ServiceConfig;
let deps: TurnDeps;

beforeAll(async () => {
  emulator = await startBedrockEmulator({ timeScale: 0.01, seed: 5 });
  config = testConfig(emulator.url);
  const metrics = testMetrics();
  llm = createBedrockLlm({ config, logger: capturedLogger().logger, metrics });
  deps = { config, llm, retrieval: await createCatalogRetrieval(config), summariser: createSummariser({ llm, config, metrics }) };
});
afterAll(async () => {
  llm?.close();
  await emulator?.close();
});

describe.each(conversations)('coreference after the window drops the list ($opening)', ({ opening, cases }) => {
  let before: Conversation;
  let listJustDropped: Conversation;
  let titles: string[];

  beforeAll(async () => {
    before = new Conversation();
    await runTurn(before, 'こんにちは', deps);
    titles = listedTitles((await runTurn(before, opening, deps)).reply);
    for (const [index, filler] of fillers.entries()) {
      await runTurn(before, filler, deps);
      // Five more exchanges: the window of 10 recent turns has just let the list go.
      if (index === 4) listJustDropped = before.copy();
    }
  }, 60_000);

  it.each(cases)('"%s" names title %i when hardened, and is unresolved without the summary', async (question, position) => {
    expect(titles).toHaveLength(3);
    const expected = titles[position - 1] as string;

    const hardened = await runTurn(before.copy(), question, deps);
    expect(hardened.built.summarised).toBe(true);
    expect(hardened.built.messages.some((message) => listedTitles(message.text).length > 0)).toBe(false);
    expect(hardened.reply).toContain(`『${expected}』`);
    expect(hardened.reply).not.toContain(unresolvedSentence);
    for (const other of titles.filter((title) => title !== expected)) expect(hardened.reply).not.toContain(`『${other}』`);

    const withoutSummary = before.copy();
    withoutSummary.summary = null;
    const naive = await runTurn(withoutSummary, question, { ...deps, summariser: forgetful });
    expect(naive.built.summarised).toBe(false);
    expect(naive.reply).toContain(unresolvedSentence);
    expect(naive.reply).not.toContain(`『${expected}』`);
  });

  it.each(cases)('"%s" names title %i when the list has just left the window and its summary is still being made', async (question, position) => {
    // The summary made after the previous turn folds exactly the list's exchange; it is not ready.
    const behind = listJustDropped.copy();
    behind.summary = null;
    const { built, reply } = await runTurn(behind, question, deps, stillBeingMade);
    expect(built.summaryBehind).toEqual({ uncovered: 2, sentWhole: 2 });
    expect(built.summarised).toBe(false);
    expect(built.estimatedInputTokens).toBeLessThanOrEqual(config.context.inputBudgetTokens);
    expect(built.messages.some((message) => listedTitles(message.text).length === 3)).toBe(true);
    expect(reply).toContain(`『${titles[position - 1] as string}』`);
    expect(reply).not.toContain(unresolvedSentence);
  });
});
