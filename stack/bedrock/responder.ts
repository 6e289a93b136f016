/**
 * What the emulated model says. Replies are Japanese, about manga, deterministic for the same
 * conversation and random sequence, and built so a test can tell from the reply whether the
 * model had the conversation's context: a recommendation is a numbered list of three titles,
 * "2番目" names the second title of the last list (or of an entity map), and a reference
 * with nothing to resolve against starts with `unresolvedSentence`.
 */
import { hashString } from '../random.js';
import { genres, type Genre, loadCatalog, findTitle } from './catalog.js';
import { entityMapIn, labelledTitlesIn, lastNumberedList, resolveInMap, splitFenced, titlesIn } from './conversation-facts.js';
import { findReference, type Reference, referenceLabel } from './ordinals.js';
import { describeEntry, describeTitle, fitToMaxTokens, padReply } from './reply-text.js';
import { isSummaryRequest, summarise } from './summary.js';
import type { ModelFamily } from './models.js';

export interface ChatTurn { role: 'user' | 'assistant'; text: string }
export interface Conversation { system: string; messages: ReadonlyArray<ChatTurn>; maxTokens: number }
export interface Reply { text: string; outputTokens: number; stopReason: 'end_turn' | 'max_tokens' }

export const unresolvedSentence = 'すみません、どの作品のことか分かりません。';

const recommendationWords = /おすすめ|オススメ|お勧め|お薦め|教えて|探して|紹介|recommend|suggest/i;
const questionMarkers = ['Question:', 'Question：', '質問:', '質問：', 'ユーザーの質問:', 'ユーザーの質問：'];
// Lines of blocks the service wraps around a question: headers, maps, retrieval, lists.
const structuredLine = /^\s*(?:\[.*\]|[-*・].*[=＝].*|.{1,40}[=＝].*|\{.*\}|(?:title|タイトル|作品名|著者|author|ジャンル|genre|あらすじ|synopsis|価格|price)\s*[:：].*|\d{1,2}[.．)].*『.*|エンティティ\s*[:：].*)$/i;

/** The user's question, without the memory and retrieval blocks the service put around it. */
export function questionOf(message: string): string {
  const fenced = splitFenced(message.slice(-8_000)).lastFenced;
  if (fenced !== undefined) return fenced.slice(-4_000);
  const tail = message.slice(-4_000);
  const marker = Math.max(...questionMarkers.map((candidate) => {
    const at = tail.lastIndexOf(candidate);
    return at < 0 ? -1 : at + candidate.length;
  }));
  if (marker >= 0) return tail.slice(marker).trim();
  const lines = tail.split('\n');
  if (!lines.some((line) => structuredLine.test(line))) return tail.trim();
  const question: string[] = [];
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = lines[i] ?? '';
    if (line.trim().length === 0 && question.length === 0) continue;
    if (line.trim().length === 0 || structuredLine.test(line)) break;
    question.unshift(line);
  }
  return question.length > 0 ? question.join('\n').trim() : tail.trim();
}

function lastUserIndex(messages: ReadonlyArray<ChatTurn>): number {
  for (let i = messages.length - 1; i >= 0; i -= 1) if (messages[i]?.role === 'user') return i;
  return -1;
}

function genreIn(question: string): Genre | undefined {
  const lower = question.toLowerCase();
  return genres.find((genre) => genre.words.some((word) => lower.includes(word.toLowerCase())));
}

/**
 * The title a reference means, newest source first: the last numbered list (for その作品, the
 * last title named before the question), then entity maps in the messages and system prompt.
 */
function resolveReference(reference: Reference, conversation: Conversation, questionIndex: number): string | undefined {
  const { messages, system } = conversation;
  if (reference.kind === 'that') {
    for (let i = questionIndex - 1; i >= 0; i -= 1) {
      const first = titlesIn(messages[i]?.text ?? '')[0];
      if (first) return first.title;
    }
  } else {
    for (let i = messages.length - 1; i >= 0; i -= 1) {
      const message = messages[i];
      if (message?.role !== 'assistant') continue;
      const list = lastNumberedList(message.text);
      if (!list) continue;
      const title = reference.kind === 'last' ? list[list.length - 1] : list[reference.position - 1];
      if (title) return title;
      break;
    }
  }
  for (let i = messages.length - 1; i >= -1; i -= 1) {
    // A map the customer typed is not memory: only what is outside the fences counts.
    const map = entityMapIn(i >= 0 ? splitFenced(messages[i]?.text ?? '').outside : system);
    const title = map && resolveInMap(map, reference);
    if (title) return title;
  }
  return undefined;
}

function referenceReply(reference: Reference, conversation: Conversation, questionIndex: number): { core: string; titles: string[] } {
  const title = resolveReference(reference, conversation, questionIndex);
  if (!title) {
    return {
      core: `${unresolvedSentence}お手数ですが、どの作品についてのご質問か、作品名を『』で教えていただけますか？`,
      titles: [],
    };
  }
  return { core: `${referenceLabel(reference)}は${describeTitle(title)}です。`, titles: [title] };
}

/**
 * Titles the prompt offers (retrieval in the system prompt or the last user message), but
 * not those in entity maps or summaries (memory is not a recommendation) nor the customer's own.
 */
function promptTitles(system: string, lastUserText: string): string[] {
  const found: string[] = [];
  // What the customer typed (inside the fence) is not catalogue, whatever it looks like.
  for (const line of `${system}\n${splitFenced(lastUserText).outside}`.split('\n')) {
    if (/[=＝]|エンティティ|要約/.test(line)) continue;
    for (const title of [...labelledTitlesIn(line), ...titlesIn(line).map((mention) => mention.title)]) {
      if (findTitle(title) && !found.includes(title)) found.push(title);
    }
  }
  return found;
}

function recommendationReply(question: string, system: string, lastUserText: string): { core: string; titles: string[] } {
  const genre = genreIn(question);
  const chosen = promptTitles(system, lastUserText).slice(0, 3);
  const catalog = loadCatalog();
  const candidates = genre ? catalog.filter((entry) => entry.genre === genre.key) : catalog;
  const start = hashString(question) % candidates.length;
  for (let i = 0; chosen.length < 3 && i < candidates.length; i += 1) {
    const title = candidates[(start + i) % candidates.length]?.title;
    if (title && !chosen.includes(title)) chosen.push(title);
  }
  const intro = genre ? `${genre.ja}のおすすめを3作品ご紹介します。` : 'おすすめの作品を3つご紹介します。';
  const lines = chosen.map((title, index) => {
    const entry = findTitle(title);
    return `${index + 1}. ${entry ? describeEntry(entry) : `『${title}』`}`;
  });
  return { core: `${intro}\n${lines.join('\n')}`, titles: chosen };
}

const genericCore = 'ご質問ありがとうございます。マンガストアのアシスタントです。作品探しや新刊、価格、在庫についてご案内できます。'
  + '気になるジャンルや作品名を教えていただければ、おすすめをご紹介します。';

export function respond(conversation: Conversation,
  options: { family: ModelFamily; random: () => number; targetOutputTokens: number }): Reply {
  const userIndex = lastUserIndex(conversation.messages);
  const lastUserText = conversation.messages[userIndex]?.text ?? '';
  if (isSummaryRequest(conversation.system, lastUserText)) {
    return fitToMaxTokens(summarise(conversation.messages, options.family, conversation.maxTokens), conversation.maxTokens);
  }
  const question = questionOf(lastUserText);
  const reference = findReference(question);
  const { core, titles } = reference
    ? referenceReply(reference, conversation, userIndex < 0 ? conversation.messages.length : userIndex)
    : recommendationWords.test(question)
      ? recommendationReply(question, conversation.system, lastUserText)
      : { core: genericCore, titles: [] };
  return fitToMaxTokens(padReply(core, titles, options.targetOutputTokens, options.random), conversation.maxTokens);
}
