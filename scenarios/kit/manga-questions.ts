/**
 * Japanese chat text about manga, written so the Bedrock emulator (stack/bedrock/responder.ts)
 * answers it the way the incident needs: a genre question gets a numbered list of three titles,
 * "2番目のやつ" names the second title of the last list the model can see (or its entity map),
 * and everything else gets a plain store answer. Store questions and reading notes therefore
 * never contain a recommendation word (おすすめ, 教えて, 紹介, 探して), an ordinal (N番目, 最初の,
 * 最後の), a pronoun (その作品, この作品), a 『title』, an "a = b" line or a summary request.
 */
import { pick } from './session-kit.ts';

/** The emulator's genres, by the Japanese word that asks for each. */
export const genreWords = ['ホラー', '少年', '少女', '青年', '異世界', 'スポーツ', '料理', 'ミステリー', 'SF', '恋愛'] as const;

export const greetings: readonly string[] = [
  'こんにちは。最近マンガを読み始めました。',
  'はじめまして。週末に読むマンガを買いに来ました。',
  'こんばんは。今日はセールをやっていますか？',
  'こんにちは！新刊の情報を見に来ました🎉',
];

export const storeQuestions: readonly string[] = [
  '送料はいくらですか？',
  'ポイントは貯まりますか？',
  '電子版は買ってすぐに読めますか？',
  '新刊はいつ入荷しますか？',
  '支払い方法は何が使えますか？',
  '限定版の特典はまだ残っていますか？',
  '取り寄せには何日くらいかかりますか？',
  '紙の本と電子版はどちらがお得ですか？',
  'まとめ買いのセットはありますか？',
  '会員登録すると何か特典はありますか？',
];

const listRequests: ReadonlyArray<(genre: string) => string> = [
  (genre) => `${genre}マンガのおすすめを教えてください。`,
  (genre) => `${genre}で面白い作品を探しています。おすすめは？`,
  (genre) => `おすすめの${genre}マンガを3つ紹介してください。`,
];

/** A question the emulator answers with a numbered list of three titles. */
export function listRequest(random: () => number, genre: string = pick(random, genreWords)): string {
  return pick(random, listRequests)(genre);
}

const kanjiNumbers = ['', '一', '二', '三'];

const ordinalAsks: ReadonlyArray<(position: number) => string> = [
  (position) => `${position}番目のやつの値段は？`,
  (position) => `${position}番目のやつは全部で何巻ですか？`,
  (position) => `${position}番目のやつについて、もう少し詳しく知りたいです。`,
  (position) => `${kanjiNumbers[position] ?? position}つ目の作品はどんな話ですか？`,
];

/** "2番目のやつの値段は？": a question about the title at `position` (1-3) of the last list. */
export function ordinalAsk(random: () => number, position: number): string {
  return pick(random, ordinalAsks)(position);
}

const noteSentences: readonly string[] = [
  '昨日は帰りの電車で続きを読みました。',
  '絵の描き込みが細かくて、ページをめくる手が止まりませんでした。',
  '主人公の成長が丁寧に描かれていて胸が熱くなりました。',
  '脇役の一言が妙に心に残っています。',
  '週末に一気に読み返したら、新しい発見がいくつもありました。',
  '伏線の回収が見事で、思わず声が出そうになりました。',
  '背景の描写から季節の空気が伝わってきます。',
  '友達とも感想を話し合って盛り上がりました。',
  '次の巻が出るのが今から待ち遠しいです。',
  'カラーページの色使いがとてもきれいでした。',
  '少し切ない場面もあって、読み終えたあと余韻が残りました。',
  'キャラクター同士の掛け合いがテンポよく進んで楽しかったです。',
  '夜遅くまで読んでしまい、翌朝は少し眠かったです。',
  '作者のあとがきも読みごたえがありました。',
  '細かい表情の変化で気持ちが伝わってくるのがすごいと思います。',
  '舞台になった町に一度行ってみたくなりました。',
  '戦いの場面は迫力があって、見開きのページに圧倒されました。',
  '料理の場面を読むとお腹が空いてきます。',
  '謎が少しずつ明かされていく展開にわくわくしました。',
  '仕事の休憩時間に少しずつ読み進めています。',
  '家族にも貸したら、すっかりはまっていました。',
  '本棚に並べると背表紙の絵がつながるのも嬉しいです。',
  '言葉の選び方が独特で、何度も読み返したくなります。',
  '静かな場面の間の取り方が上手だと感じました。',
  '読むたびに好きな登場人物が変わっていきます。',
  '雨の日に窓辺で読むのにぴったりの雰囲気でした。',
  '物語の後半で印象ががらりと変わったのが面白かったです。',
  '電子版で読んだあと、紙の本でも買いそろえました。',
  '学生のころに読んだ話を思い出して懐かしくなりました。',
  '登場人物の服装や小物まで丁寧に描かれています。',
];

const noteOpenings = ['読書メモを貼ります。', '最近の読書記録です。', '感想を書いてみました。'];
const noteClosings = ['こんな感想を持つのは私だけでしょうか？', '同じように感じる人は多いですか？', 'みなさんはどんなところが好きなのでしょうか？'];

/**
 * A power user's pasted reading notes of about `characters` characters (all single-unit BMP
 * text, so characters = graphemes = UTF-16 units). The emulator answers it as small talk.
 */
export function readingNotes(random: () => number, characters: number): string {
  const closing = pick(random, noteClosings);
  let text = pick(random, noteOpenings);
  // Bounded: each sentence adds at least 15 characters.
  while (text.length + closing.length < characters) text += pick(random, noteSentences);
  return text + closing;
}
