/**
 * The reply to "summarise this conversation": a short Japanese summary, then one line
 * `エンティティ: {"1番目":"A",…,"その作品":"X"}` that keeps ordinals resolvable after the
 * summarised turns are dropped (seed 000, scenario 3). It fits in maxTokens by dropping
 * detail sentences, never the entity line.
 */
import { genres } from './catalog.js';
import { entityMapIn, lastNumberedList, markedTurns, type MarkedTurn, titlesIn } from './conversation-facts.js';
import type { ModelFamily } from './models.js';
import { ordinalKey } from './ordinals.js';
import { countTokens } from './tokens.js';

const maxTitlesNamed = 6;

const summaryRequest = /要約して|要約せよ|要約を(?:作成|書いて|お願い)|まとめてください|\bsummari[sz]e\b/i;

/**
 * Whether the prompt asks for a summary, rather than carrying one as "[Earlier conversation
 * summary]" does. The request must open the system prompt (its first 200 characters) or sit
 * in the first 1,000 characters of the last user message, so a chat system prompt that only
 * mentions summaries further down stays a chat.
 */
export function isSummaryRequest(system: string, lastUserText: string): boolean {
  return summaryRequest.test(system.slice(0, 200)) || summaryRequest.test(lastUserText.slice(0, 1_000));
}

/** A request's instructions (its first paragraph) may show an example map; it is not memory. */
function withoutInstructions(text: string): string {
  if (!summaryRequest.test(text.slice(0, 1_000))) return text;
  const paragraphEnd = text.indexOf('\n\n');
  return paragraphEnd < 0 ? '' : text.slice(paragraphEnd + 2);
}

/**
 * A turn to summarise. `memory`: it may state a list or entity map to carry forward. In a
 * pasted transcript any turn may; in the service's JSON transcript only the assistant's turns
 * state lists and only previousSummary states a map, since roles there cannot be forged.
 */
interface SummaryTurn extends MarkedTurn { listable: boolean; memory: boolean }

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{"previousSummary"?: {text, entities}, "turns": [{role, text}]}`, as service/context/summariser.ts sends it. */
function jsonTranscript(text: string): SummaryTurn[] | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.turns)) return undefined;
  const turns: SummaryTurn[] = [];
  const previous = parsed.previousSummary;
  if (isRecord(previous)) {
    const entities = isRecord(previous.entities) ? JSON.stringify(previous.entities) : '{}';
    turns.push({ role: 'assistant', text: `${typeof previous.text === 'string' ? previous.text : ''}\nエンティティ: ${entities}`, listable: false, memory: true });
  }
  for (const turn of parsed.turns) {
    if (!isRecord(turn) || typeof turn.text !== 'string') continue;
    const role = turn.role === 'assistant' ? 'assistant' : 'user';
    turns.push({ role, text: turn.text, listable: role === 'assistant', memory: false });
  }
  return turns;
}

function summaryTurns(messages: ReadonlyArray<{ role: 'user' | 'assistant'; text: string }>): SummaryTurn[] {
  const last = messages.at(-1);
  const fromJson = messages.length === 1 && last ? jsonTranscript(last.text) : undefined;
  return fromJson ?? messages.flatMap((message) => markedTurns(message.text, message.role))
    .map((turn) => ({ ...turn, listable: true, memory: true }));
}

function entityObject(turns: ReadonlyArray<SummaryTurn>, lastDiscussed: string | undefined): Record<string, string> {
  const entities: Record<string, string> = {};
  let list: string[] | undefined;
  for (let i = turns.length - 1; i >= 0 && !list; i -= 1) {
    const turn = turns[i];
    if (turn?.listable) list = lastNumberedList(turn.text);
  }
  if (list) {
    list.forEach((title, index) => { entities[ordinalKey(index + 1)] = title; });
  } else {
    // No list in these turns: carry forward the map an earlier summary left in them.
    const carried = entityMapIn(turns.filter((turn) => turn.memory).map((turn) => withoutInstructions(turn.text)).join('\n'));
    for (const [position, title] of [...(carried?.positions ?? [])].sort(([a], [b]) => a - b)) {
      entities[ordinalKey(position)] = title;
    }
    if (carried?.last) entities['最後'] = carried.last;
    if (carried?.that && !lastDiscussed) entities['その作品'] = carried.that;
  }
  if (lastDiscussed) entities['その作品'] = lastDiscussed;
  return entities;
}

/** Titles by most recent mention, oldest of those first. */
function recentTitles(turns: ReadonlyArray<MarkedTurn>): string[] {
  const seen: string[] = [];
  for (let i = turns.length - 1; i >= 0 && seen.length < maxTitlesNamed; i -= 1) {
    const mentions = titlesIn(turns[i]?.text ?? '');
    for (let j = mentions.length - 1; j >= 0 && seen.length < maxTitlesNamed; j -= 1) {
      const title = mentions[j]?.title;
      if (title && !seen.includes(title)) seen.push(title);
    }
  }
  return seen.reverse();
}

/**
 * The first title of the last turn that names one; if that turn is an earlier summary, the
 * title its entity line calls その作品 (its first title is only the oldest one discussed).
 */
function lastDiscussedTitle(turns: ReadonlyArray<SummaryTurn>): string | undefined {
  for (let i = turns.length - 1; i >= 0; i -= 1) {
    const text = turns[i]?.text ?? '';
    const first = titlesIn(text)[0]?.title;
    if (first) return (turns[i]?.memory && text.includes('エンティティ') ? entityMapIn(text)?.that : undefined) ?? first;
  }
  return undefined;
}

function wantedSentence(turns: ReadonlyArray<MarkedTurn>): string {
  const userText = turns.filter((turn) => turn.role === 'user').map((turn) => turn.text).join('\n').toLowerCase();
  const asked = genres.filter((genre) => genre.words.some((word) => userText.includes(word.toLowerCase())));
  const wantsRecommendation = /おすすめ|オススメ|お勧め|紹介|探して|recommend/.test(userText);
  const what = wantsRecommendation ? 'おすすめ作品を探しています' : '作品について質問しています';
  return asked.length > 0
    ? `要約: お客様は${asked.map((genre) => genre.ja).join('・')}のマンガについて、${what}。`
    : `要約: お客様はマンガストアで${what}。`;
}

export function summarise(messages: ReadonlyArray<{ role: 'user' | 'assistant'; text: string }>,
  family: ModelFamily, maxTokens: number): string {
  const turns = summaryTurns(messages);
  const lastDiscussed = lastDiscussedTitle(turns);
  const titles = recentTitles(turns);
  const transcript = turns.map((turn) => turn.text).join('\n');

  const details = [
    titles.length > 0 ? `話題に出た作品は${titles.map((title) => `『${title}』`).join('')}です。` : '特定の作品はまだ話題に出ていません。',
    lastDiscussed ? `直近で話題になったのは『${lastDiscussed}』です。` : '',
    // Sonnet writes one sentence more than Haiku, as the larger model tends to.
    family === 'sonnet' && /価格|値段|円|¥|巻/.test(transcript) ? '価格や巻数についても確認しています。' : '',
  ].filter((sentence) => sentence.length > 0);
  const entityLine = `エンティティ: ${JSON.stringify(entityObject(turns, lastDiscussed))}`;

  const wanted = wantedSentence(turns);
  const compose = () => `${wanted}${details.join('')}\n${entityLine}`;
  let text = compose();
  while (details.length > 0 && countTokens(text) > maxTokens) {
    details.pop();
    text = compose();
  }
  return text;
}
