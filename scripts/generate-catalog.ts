/**
 * Generates fixtures/manga-catalog.json: 200 fictional manga titles, 20 per genre, from a
 * seed. Run `npx tsx scripts/generate-catalog.ts` after changing anything here; a test
 * fails while the committed JSON differs from what this makes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Random, seededRandom } from '../stack/random.js';
import { genres, type MangaTitle } from '../stack/bedrock/catalog.js';

export const catalogSeed = 20_240_229;
const titlesPerGenre = 20;

/** "表記:よみ" pairs; a word without a reading is read as written (kana). */
type Words = string;

interface GenreVocabulary {
  joiner: string;
  heads: Words;
  tails: Words;
  openings: ReadonlyArray<string>;
  hooks: ReadonlyArray<string>;
}

// Words are chosen to be unusual together, so no combination is a real title, and to hold
// no ordinal words (最初, 最後, 番目, つ目): a title must never read as a reference.
const vocabulary: Record<string, GenreVocabulary> = {
  horror: {
    joiner: 'の',
    heads: '真夜中:まよなか 廃病棟:はいびょうとう 雨宿り:あまやどり 百鬼坂:ひゃっきざか 終電:しゅうでん 井戸底:いどぞこ 白い家:しろいいえ 影踏み:かげふみ',
    tails: '標本室:ひょうほんしつ 人形師:にんぎょうし 呼び声:よびごえ 落とし物:おとしもの 隣人:りんじん 子守唄:こもりうた 鏡写し:かがみうつし 赤い傘:あかいかさ',
    openings: ['{name}が引っ越した古いアパートでは、毎晩同じ時刻に誰かが扉を叩く。', '取り壊し寸前の旧校舎に閉じ込められた{name}たちが、七日間の怪異を生き延びようとする。', '{name}は祖母の遺品から見つけた写真をきっかけに、村に伝わる禁忌に近づいていく。'],
    hooks: ['じわじわと迫る恐怖に眠れなくなる本格ホラー。', '静かな日常が少しずつ歪んでいく描写が怖い。', '読み終えたあと、背後を確かめたくなる。'],
  },
  shonen: {
    joiner: '',
    heads: '烈風:れっぷう 蒼炎:そうえん 雷鳴:らいめい 鋼鉄:こうてつ 天下一:てんかいち 疾風:しっぷう 鉄拳:てっけん 黎明:れいめい',
    tails: '忍法帖:にんぽうちょう ブレイカー 探検隊:たんけんたい 拳士伝:けんしでん ストライカーズ 旅団:りょだん 少年団:しょうねんだん 一番星:いちばんぼし',
    openings: ['落ちこぼれの{name}は、伝説の師匠に弟子入りして最強を目指す。', '{name}は仲間と共に、奪われた故郷の炎を取り戻す旅に出る。', '力を封じられた少年{name}が、天下一の大会で己の意地を示す。'],
    hooks: ['熱いバトルと友情が胸を打つ王道アクション。', '戦うたびに強くなる仲間たちの成長が見どころ。', '息をのむ必殺技の作画は必見。'],
  },
  shojo: {
    joiner: 'の',
    heads: '月曜日:げつようび 放課後:ほうかご 花冠:はなかんむり ひだまり 窓辺:まどべ 金平糖:こんぺいとう 春待ち:はるまち 三つ編み:みつあみ',
    tails: 'お姫様:おひめさま 約束:やくそく ティーパーティー 魔法使い:まほうつかい 秘密:ひみつ プリンセス 花嫁:はなよめ 手紙:てがみ',
    openings: ['転校生の{name}は、図書委員の先輩に秘密を知られてしまう。', '花屋の娘{name}が、不器用な幼なじみと過ごすひと夏の物語。', '魔法が使えない{name}は、王立学院でただひとりの落第生として入学する。'],
    hooks: ['きらめく絵柄と繊細な心理描写が魅力。', '甘く切ない胸キュン展開が続く。', '友情と恋のあいだで揺れる心を丁寧に描く。'],
  },
  seinen: {
    joiner: '',
    heads: '東京:とうきょう 灰色:はいいろ 深夜:しんや 場末:ばすえ 雑居ビル:ざっきょびる 港町:みなとまち 無頼:ぶらい 終着駅:しゅうちゃくえき',
    tails: '請負人:うけおいにん 清掃課:せいそうか ブルース 運び屋:はこびや 夜想曲:やそうきょく 番犬:ばんけん 葬儀社:そうぎしゃ 保安官:ほあんかん',
    openings: ['元刑事の{name}は、裏社会の借金取りとして夜の街を歩く。', '疲れた会社員{name}が、ある依頼をきっかけに人生をやり直し始める。', '{name}は地方都市の小さな葬儀社で、忘れられた人々の旅立ちに向き合う。'],
    hooks: ['大人の苦みと静かな余韻が残る。', '重厚な人間ドラマが読み応え抜群。', '乾いたユーモアとリアルな描写が光る。'],
  },
  isekai: {
    joiner: '',
    heads: '転生したら:てんせいしたら 追放された:ついほうされた 二周目の:にしゅうめの 最弱の:さいじゃくの 引退した:いんたいした 辺境の:へんきょうの 落第した:らくだいした 社畜だった:しゃちくだった',
    tails: '鍛冶屋でした:かじやでした 薬草師は無双する:やくそうしはむそうする 村長の日常:そんちょうのにちじょう 羊飼い:ひつじかい 宮廷料理番:きゅうていりょうりばん 地図職人:ちずしょくにん 魔王城の庭師:まおうじょうのにわし 郵便配達人:ゆうびんはいたつにん',
    openings: ['過労で倒れた{name}は、剣と魔法の世界でもう一度人生を始める。', '勇者パーティーを追い出された{name}は、辺境でのんびり暮らすはずだった。', '{name}は前世の知識を生かして、異世界の小さな村を豊かにしていく。'],
    hooks: ['気楽に読めるスローライフ系ファンタジー。', '地味なスキルが実は最強という爽快な展開。', '個性豊かな仲間との掛け合いが楽しい。'],
  },
  sports: {
    joiner: '',
    heads: '県立:けんりつ 弱小:じゃくしょう 真夏の:まなつの 全力:ぜんりょく 朝練:あされん 逆転:ぎゃくてん 風見:かざみ 白線:はくせん',
    tails: '卓球部:たっきゅうぶ ボート部:ぼーとぶ 弓道部:きゅうどうぶ ハンドボール リレー 水球部:すいきゅうぶ 相撲部:すもうぶ フェンシング',
    openings: ['部員が三人しかいない部活で、{name}は全国大会を目指すと宣言する。', '怪我で一度は競技を離れた{name}が、もう一度スタートラインに立つ。', '{name}は天才と呼ばれるライバルに勝つため、毎朝五時から練習を続ける。'],
    hooks: ['試合の緊張感まで伝わる熱血スポーツ漫画。', 'チームの絆が深まるたびに胸が熱くなる。', '競技の知識がなくても楽しめる丁寧な解説付き。'],
  },
  cooking: {
    joiner: 'の',
    heads: '真夜中:まよなか 下町:したまち 路地裏:ろじうら 猫舌:ねこじた 月末:げつまつ 山小屋:やまごや 屋台:やたい 定休日:ていきゅうび',
    tails: 'まかない帖:まかないちょう 出汁巻き:だしまき 弁当屋:べんとうや おにぎり カレー研究:かれーけんきゅう 甘味処:かんみどころ 餃子:ぎょうざ 卵焼き:たまごやき',
    openings: ['{name}は祖父から受け継いだ小さな店で、毎日ひと皿の工夫を重ねる。', '料理が苦手な{name}が、隣人の元料理人から家庭料理を教わる。', '{name}は全国の屋台を巡り、忘れられた郷土の味を探し歩く。'],
    hooks: ['読むとお腹が空くグルメ漫画。', 'レシピ付きで実際に作れるのも嬉しい。', '湯気まで見えるような料理の描写が見事。'],
  },
  mystery: {
    joiner: 'の',
    heads: '図書室:としょしつ 時計塔:とけいとう 雪山荘:ゆきさんそう 古書店:こしょてん 密室:みっしつ 寝台列車:しんだいれっしゃ 美術館:びじゅつかん 灯台:とうだい',
    tails: '事件簿:じけんぼ 暗号:あんごう 失踪者:しっそうしゃ 名探偵:めいたんてい 置き手紙:おきてがみ 証言:しょうげん 鍵穴:かぎあな 不在証明:ふざいしょうめい',
    openings: ['高校生の{name}は、図書室に残された暗号から十年前の事件を掘り起こす。', '{name}は寝台列車で起きた不可解な失踪の謎を追う。', '古書店の店主{name}が、持ち込まれた本に隠された秘密を解き明かす。'],
    hooks: ['巧妙な伏線と鮮やかな謎解きが楽しめる本格ミステリー。', '読者への挑戦状付きで推理も楽しめる。', '意外な真相に何度も驚かされる。'],
  },
  sf: {
    joiner: '',
    heads: '軌道:きどう 量子:りょうし 第七:だいなな 銀河:ぎんが 機械仕掛け:きかいじかけ 月面:げつめん 深宇宙:しんうちゅう 再起動:さいきどう',
    tails: 'エレベーター 郵便局:ゆうびんきょく 図書館:としょかん アンドロイド 漂流記:ひょうりゅうき 植物園:しょくぶつえん 管制室:かんせいしつ コロニー',
    openings: ['軌道上の郵便局で働く{name}は、宛先不明の手紙を届ける旅に出る。', '{name}は眠りから覚めると、誰もいない宇宙船にひとり取り残されていた。', '人間と見分けがつかないアンドロイド{name}が、自分の心の正体を探す。'],
    hooks: ['緻密な世界設定と哲学的な問いが光るSF。', '壮大な宇宙と小さな日常の対比が美しい。', '近未来のテクノロジーが描く切ない人間ドラマ。'],
  },
  romance: {
    joiner: 'の',
    heads: '隣の席:となりのせき 雨上がり:あめあがり 十年目:じゅうねんめ 午前零時:ごぜんれいじ 合鍵:あいかぎ 片道切符:かたみちきっぷ 珈琲:こーひー 文通:ぶんつう',
    tails: '恋人:こいびと 告白:こくはく 同居人:どうきょにん ラブレター 婚約者:こんやくしゃ 初恋:はつこい 彼女:かのじょ 待ち合わせ:まちあわせ',
    openings: ['{name}は毎朝同じ電車に乗る名前も知らない相手に恋をする。', '契約結婚から始まった{name}の新生活は、思いがけず温かい。', '十年ぶりに再会した幼なじみに、{name}は今度こそ想いを伝えようとする。'],
    hooks: ['じれったくも甘い大人のラブストーリー。', 'すれ違う二人の気持ちに胸が締め付けられる。', '笑って泣ける王道ラブコメディ。'],
  },
};

// A few titles carry emoji, ZWJ sequences and astral kanji (𠮷, 𩸽), for the JP payload incident.
const specialTitles: ReadonlyArray<{ genre: string; title: string; titleKana: string }> = [
  { genre: 'horror', title: '𠮷祥寺ゾンビ商店街', titleKana: 'きちじょうじぞんびしょうてんがい' },
  { genre: 'cooking', title: 'ラーメン🍜革命', titleKana: 'らーめんかくめい' },
  { genre: 'cooking', title: '𩸽定食の夜', titleKana: 'ほっけていしょくのよる' },
  { genre: 'romance', title: '星屑🌙ランデブー', titleKana: 'ほしくずらんでぶー' },
  { genre: 'romance', title: '❤️ハート泥棒', titleKana: 'はーとどろぼう' },
  { genre: 'isekai', title: '👾ピクセル転生記', titleKana: 'ぴくせるてんせいき' },
  { genre: 'sports', title: '🏀ゼロ距離ダンク', titleKana: 'ぜろきょりだんく' },
  { genre: 'mystery', title: '👨‍👩‍👧家族探偵団', titleKana: 'かぞくたんていだん' },
];

const surnames = '朝霧 椎葉 鷹野 糸川 久遠 水無瀬 灰原 𠮷田 御影 柚木 鳴海 桐生 千早 霧島 日向 三雲'.split(' ');
const givenNames = 'ことり 蒼 七海 蓮 円 周平 夕子 真砂 透 つばめ 玄 菜摘 凛 環 渚 六花'.split(' ');
const heroes = 'ハル ミナト サキ ユウ アオイ カナデ リコ ソラ トワ ヒナ イツキ ナギ'.split(' ');
const pricesYen = [495, 528, 594, 660, 693, 715, 770, 792, 858, 990, 1100, 1320];

function words(list: Words): Array<{ text: string; reading: string }> {
  return list.split(' ').map((entry) => {
    const [text = '', reading] = entry.split(':');
    return { text, reading: reading ?? text };
  });
}

function pick<T>(random: Random, items: ReadonlyArray<T>): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function shuffled<T>(random: Random, items: ReadonlyArray<T>): T[] {
  const result = items.slice();
  for (let i = result.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}

const hasKanji = (text: string) => /[\u3400-\u9fff\uf900-\ufaff]|[\ud840-\ud87f][\udc00-\udfff]/.test(text);

function vocabularyOf(genreKey: string): GenreVocabulary {
  const found = vocabulary[genreKey];
  if (!found) throw new Error(`scripts/generate-catalog.ts has no vocabulary for genre ${genreKey}`);
  return found;
}

function titlesFor(genreKey: string, random: Random): Array<{ title: string; titleKana?: string }> {
  const { heads, tails, joiner } = vocabularyOf(genreKey);
  const combinations = words(heads).flatMap((head) => words(tails).map((tail) => ({
    title: `${head.text}${joiner}${tail.text}`,
    titleKana: `${head.reading}${joiner}${tail.reading}`,
  })));
  const specials = specialTitles.filter((special) => special.genre === genreKey);
  const chosen = shuffled(random, combinations).slice(0, titlesPerGenre - specials.length)
    .map(({ title, titleKana }) => (hasKanji(title) ? { title, titleKana } : { title }));
  return [...specials.map(({ title, titleKana }) => ({ title, titleKana })), ...chosen];
}

export function generateCatalog(seed: number = catalogSeed): MangaTitle[] {
  const random = seededRandom(seed);
  const catalog: MangaTitle[] = [];
  for (const genre of genres) {
    const { openings, hooks } = vocabularyOf(genre.key);
    for (const { title, titleKana } of titlesFor(genre.key, random)) {
      const id = `mg-${String(catalog.length + 1).padStart(3, '0')}`;
      const author = `${pick(random, surnames)}${pick(random, givenNames)}`;
      const volumes = 1 + Math.floor(random() ** 2 * 42);
      const priceYen = pick(random, pricesYen);
      const synopsis = pick(random, openings).replace('{name}', pick(random, heroes)) + pick(random, hooks);
      catalog.push({
        id, title, ...(titleKana ? { titleKana } : {}), author,
        genre: genre.key, genreJa: genre.ja, volumes, priceYen, synopsis,
      });
    }
  }
  return catalog;
}

/** The exact bytes committed as fixtures/manga-catalog.json. */
export function catalogJson(catalog: ReadonlyArray<MangaTitle>): string {
  return `${JSON.stringify(catalog, null, 2)}\n`;
}

export const catalogPath = fileURLToPath(new URL('../fixtures/manga-catalog.json', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const catalog = generateCatalog();
  writeFileSync(catalogPath, catalogJson(catalog));
  console.log(`wrote ${catalog.length} titles to ${catalogPath}`);
}
