/**
 * Seed 004 s3's payloads and ours around the same limits. The rule (DESIGN.md, Input): at most
 * 4000 grapheme clusters and at most 4 UTF-8 bytes per allowed grapheme (16,000 bytes), refused
 * with "メッセージが長すぎます (最大4000文字)". Each text is built from atoms of one grapheme each,
 * so its grapheme count is known by construction: the k6 runtime has no Intl.Segmenter, and the
 * tests check every count against Intl.Segmenter.
 */
export const maxGraphemes = 4_000;
export const maxUtf8Bytes = maxGraphemes * 4;
export const tooLongCode = 'ORCH_ERR_MESSAGE_TOO_LONG';
export const tooLongMessage = 'メッセージが長すぎます (最大4000文字)';

/** One grapheme each. */
export const atoms = {
  hiragana: 'あ',
  /** A surrogate pair: 2 UTF-16 units, 4 UTF-8 bytes. */
  yoshi: '𠮷',
  party: '🎉',
  /** A ZWJ sequence of seven code points: 11 UTF-16 units, 25 UTF-8 bytes. */
  family: '👨\u200d👩\u200d👧\u200d👦',
  /** An emoji with a skin-tone modifier. */
  thumbsUp: '👍🏽',
  /** An emoji with variation selector 16. */
  heart: '❤️',
  /** Two regional indicators. */
  flag: '🇯🇵',
  keycap: '1️⃣',
  /** か with a combining voiced sound mark (U+3099): が as two code points. */
  combiningGa: 'か\u3099',
  /** Half-width katakana with the half-width voiced mark. */
  halfWidthGa: 'ｶﾞ',
} as const;

export interface PayloadCase {
  name: string;
  text: string;
  /** Grapheme clusters, by construction. */
  graphemes: number;
  /** What the grapheme rule says; the naive utf16Length switch refuses anything over 4000 UTF-16 units. */
  valid: boolean;
  source: 'seed 004 s3' | 'gameday';
}

/** UTF-8 bytes of a string, without TextEncoder (k6 v0.49 has none). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

export function isValidMessage(graphemes: number, text: string): boolean {
  return graphemes <= maxGraphemes && utf8Length(text) <= maxUtf8Bytes;
}

/**
 * `text` × `count` by concatenation (doubling, so 4,000 copies take 12 joins). Not
 * String.prototype.repeat: k6 v0.49's runtime drops the first UTF-16 unit of a repeated non-ASCII
 * string ('あ'.repeat(4001).length is 4000 there, and '🎉'.repeat(3) starts with a lone surrogate).
 */
export function repeatText(text: string, count: number): string {
  let result = '';
  let doubling = text;
  for (let left = count; left > 0; left = Math.floor(left / 2)) {
    if (left % 2 === 1) result += doubling;
    if (left > 1) doubling += doubling;
  }
  return result;
}

function repeated(name: string, atom: string, count: number, source: PayloadCase['source'] = 'gameday'): PayloadCase {
  const text = repeatText(atom, count);
  return { name, text, graphemes: count, valid: isValidMessage(count, text), source };
}

// Every-day JP chat about manga with emoji and rarer characters; the grapheme counts are checked by the tests.
const question = 'ホラーマンガのおすすめを教えて👻';
const questionGraphemes = 16;
// 10 graphemes in 40 UTF-8 bytes: on average exactly the 4 bytes per grapheme the limit allows.
const mixedCycle = ['マ', 'ン', 'ガ', '大', '好', 'き', atoms.party, atoms.yoshi, atoms.thumbsUp, atoms.combiningGa];

/** JP text with emoji, a surrogate pair, a modifier sequence and a combining mark: `graphemes` long. */
export function mixedText(graphemes: number): string {
  let text = question;
  for (let i = questionGraphemes; i < graphemes; i += 1) text += mixedCycle[(i - questionGraphemes) % mixedCycle.length];
  return text;
}

function mixed(name: string, graphemes: number): PayloadCase {
  const text = mixedText(graphemes);
  return { name, text, graphemes, valid: isValidMessage(graphemes, text), source: 'gameday' };
}

function short(name: string, text: string, graphemes: number): PayloadCase {
  return { name, text, graphemes, valid: isValidMessage(graphemes, text), source: 'gameday' };
}

/**
 * Seed 004 s3's six test cases with the one correction DESIGN.md makes: "🎉" × 2001 is 2001
 * graphemes, so it is valid; the seed's expected refusal is the old UTF-16 bug.
 */
export const seed004Cases: readonly PayloadCase[] = [
  { name: 'seed 004: hiragana', text: 'こんにちは', graphemes: 5, valid: true, source: 'seed 004 s3' },
  { name: 'seed 004: emoji inside', text: '新刊マンガ🎉おすすめ!', graphemes: 11, valid: true, source: 'seed 004 s3' },
  { name: 'seed 004: supplementary kanji', text: '𠮷田さんのマンガ', graphemes: 8, valid: true, source: 'seed 004 s3' },
  repeated('seed 004: A x 4001', 'A', 4_001, 'seed 004 s3'),
  repeated('seed 004: あ x 4000', atoms.hiragana, 4_000, 'seed 004 s3'),
  repeated('seed 004: 🎉 x 2001 (valid: 2001 graphemes)', atoms.party, 2_001, 'seed 004 s3'),
];

/** Ours: the same limits from every side (graphemes, bytes, UTF-16 units). */
export const boundaryCases: readonly PayloadCase[] = [
  repeated('あ x 4001', atoms.hiragana, 4_001),
  repeated('𠮷 x 4000 (8000 UTF-16 units, 16,000 bytes)', atoms.yoshi, 4_000),
  repeated('𠮷 x 4001', atoms.yoshi, 4_001),
  repeated('family ZWJ x 640 (16,000 bytes)', atoms.family, 640),
  repeated('family ZWJ x 641 (16,025 bytes)', atoms.family, 641),
  repeated('❤️ x 2000 (VS16, 12,000 bytes)', atoms.heart, 2_000),
  mixed('mixed JP and emoji, 4000 graphemes', 4_000),
  mixed('mixed JP and emoji, 4001 graphemes', 4_001),
  short('family emoji question', `家族で読めるマンガを教えて${atoms.family}`, 14),
  short('flag and keycap', `${atoms.flag}の料理マンガ${atoms.keycap}位は？`, 11),
  short('skin tone and heart', `恋愛マンガ${atoms.heart}${atoms.thumbsUp}のおすすめ`, 12),
  short('half-width katakana with voiced mark', `${atoms.halfWidthGa}ﾝﾀﾞﾑみたいなSFある？`, 13),
];

export const payloadCases: readonly PayloadCase[] = [...seed004Cases, ...boundaryCases];
