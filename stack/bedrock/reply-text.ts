/** The wording of replies: title details, natural padding, and the max_tokens cut. */
import { findTitle, type MangaTitle } from './catalog.js';
import { countTokens, truncateToTokens } from './tokens.js';

export function formatYen(yen: number): string {
  return `¥${String(Math.round(yen)).replace(/\B(?=(\d{3})+$)/g, ',')}`;
}

/** `『A』（著者, ジャンル, 全N巻, ¥価格）`, or just `『A』` for a title the catalog lacks. */
export function describeTitle(title: string): string {
  const entry = findTitle(title);
  return entry ? describeEntry(entry) : `『${title}』`;
}

export function describeEntry(entry: MangaTitle): string {
  return `『${entry.title}』（${entry.author}, ${entry.genreJa}, 全${entry.volumes}巻, ${formatYen(entry.priceYen)}）`;
}

// Store small talk for padding. No sentence may hold a 『title』, a numbered item or an
// ordinal word, or it would change what a later turn resolves.
const storeSentences: ReadonlyArray<string> = [
  '当ストアでは毎週火曜日と金曜日に新刊が入荷します。',
  '3,000円以上のご購入で送料が無料になります。',
  '電子版をご購入いただくと、アプリですぐに読み始められます。',
  '会員登録をすると、購入金額の1%がポイントとして貯まります。',
  '気になる作品は、お気に入りに登録しておくと新刊の発売日にお知らせが届きます。',
  'まとめ買いセットは、単巻でそろえるよりお得な価格になっています。',
  '試し読みは各作品のページから無料でお楽しみいただけます。',
  '在庫切れの紙の単行本も、取り寄せのご注文を承っています。',
  '特典付きの限定版は数量に限りがありますので、お早めにどうぞ。',
  'ジャンルや雰囲気を教えていただければ、ほかの作品もお探しします。',
  '週末は夜の時間帯に注文が集中するため、配送が少し遅れることがあります。',
  'ご不明な点があれば、いつでもお気軽にお尋ねください。',
];

function shuffledStoreSentences(random: () => number): string[] {
  const sentences = storeSentences.slice();
  for (let i = sentences.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [sentences[i], sentences[j]] = [sentences[j] as string, sentences[i] as string];
  }
  return sentences;
}

/**
 * core, then synopses of the titles named and store small talk, until the text costs about
 * targetTokens. The core always comes first, so a max_tokens cut never loses it.
 */
export function padReply(core: string, titles: ReadonlyArray<string>, targetTokens: number, random: () => number): string {
  const synopses = titles.flatMap((title) => {
    const entry = findTitle(title);
    return entry ? [`『${entry.title}』は、こんなお話です。${entry.synopsis}`] : [];
  });
  const smallTalk = shuffledStoreSentences(random);
  let text = core;
  let tokens = countTokens(core);
  // Bounded: every sentence costs at least a dozen tokens, and the loop stops at 10,000 anyway.
  for (let i = 0; tokens < targetTokens && i < 10_000; i += 1) {
    const sentence = i < synopses.length
      ? synopses[i] ?? ''
      : smallTalk[(i - synopses.length) % smallTalk.length] ?? '';
    const separator = i === 0 ? '\n\n' : i <= synopses.length ? '\n' : '';
    text += separator + sentence;
    tokens += countTokens(separator + sentence);
  }
  return text;
}

export interface FittedText { text: string; outputTokens: number; stopReason: 'end_turn' | 'max_tokens' }

/** Cuts text at maxTokens, as a model stops generating there. */
export function fitToMaxTokens(text: string, maxTokens: number): FittedText {
  const tokens = countTokens(text);
  if (tokens <= maxTokens) return { text, outputTokens: tokens, stopReason: 'end_turn' };
  const cut = truncateToTokens(text, maxTokens);
  return { text: cut, outputTokens: countTokens(cut), stopReason: 'max_tokens' };
}
