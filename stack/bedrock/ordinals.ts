/**
 * Ordinal and pronoun references to titles ("2番目", "二つ目", "最後の", "その作品",
 * "the second one"), in a question or as the key of an entity map.
 */
export type Reference =
  | { kind: 'position'; position: number }
  | { kind: 'last' }
  | { kind: 'that' };

const kanjiDigits = '〇一二三四五六七八九';

function kanjiNumber(text: string): number | undefined {
  const digit = (part: string) => (part.length === 1 ? kanjiDigits.indexOf(part) : -1);
  const ten = text.indexOf('十');
  if (ten < 0) return digit(text) > 0 ? digit(text) : undefined;
  const tens = ten === 0 ? 1 : digit(text.slice(0, ten));
  const ones = ten === text.length - 1 ? 0 : digit(text.slice(ten + 1));
  return tens > 0 && ones >= 0 ? tens * 10 + ones : undefined;
}

function numberOf(text: string): number | undefined {
  const ascii = text.replace(/[０-９]/g, (digit) => String.fromCharCode(digit.charCodeAt(0) - 0xfee0));
  return /^\d+$/.test(ascii) ? Number(ascii) : kanjiNumber(ascii);
}

const englishOrdinals: Record<string, number> = {
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10,
  '1st': 1, '2nd': 2, '3rd': 3, '4th': 4, '5th': 5,
};

const numbered = /([0-9０-９]{1,3}|[一二三四五六七八九十]{1,3})\s{0,2}(?:番目|つ目|個目|作目|作品目)/;
// "最初の巻" and "最後まで" are about volumes and reading, not about a title in a list.
const first = /最初の(?!巻)|一番初め|いちばん最初/;
const last = /最後の(?!巻)|ラストの/;
const english = /\b(?:the\s+)?(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|1st|2nd|3rd|4th|5th)\s+(?:one|title|manga|book|series)\b/i;
const that = /その作品|その漫画|そのマンガ|その本|あの作品|この作品|それについて|\b(?:that|this) (?:one|manga|title|book|series)\b/i;

/** The reference a question makes, if any. Looks at the first 4,000 characters at most. */
export function findReference(question: string): Reference | undefined {
  const text = question.slice(0, 4_000);
  const byNumber = numbered.exec(text);
  const position = byNumber?.[1] ? numberOf(byNumber[1]) : undefined;
  if (position !== undefined && position > 0) return { kind: 'position', position };
  if (first.test(text)) return { kind: 'position', position: 1 };
  if (last.test(text)) return { kind: 'last' };
  const word = english.exec(text)?.[1]?.toLowerCase();
  if (word === 'last') return { kind: 'last' };
  if (word && englishOrdinals[word]) return { kind: 'position', position: englishOrdinals[word] };
  if (that.test(text)) return { kind: 'that' };
  return undefined;
}

/** The reference an entity-map key names: '2番目', 'the first one', 'second', '最後', 'その作品'. */
export function referenceOfKey(key: string): Reference | undefined {
  const bare = key.trim().replace(/^['"‘’“”「『]+|['"‘’“”」』]+$/g, '').trim();
  if (bare.length === 0 || bare.length > 40) return undefined;
  const lower = bare.toLowerCase();
  if (bare === '最初' || bare === '最初の') return { kind: 'position', position: 1 };
  if (bare === '最後' || lower === 'last' || lower === 'the last') return { kind: 'last' };
  const position = englishOrdinals[lower.replace(/^the\s+/, '')] ?? numberOf(bare);
  if (position !== undefined && position > 0) return { kind: 'position', position };
  return findReference(bare);
}

/** The key the emulator writes for a position in an entity map: '2番目'. */
export function ordinalKey(position: number): string {
  return `${position}番目`;
}

/** How a reply names what was referred to: '2番目の作品', '最後の作品', 'その作品'. */
export function referenceLabel(reference: Reference): string {
  if (reference.kind === 'position') return `${reference.position}番目の作品`;
  return reference.kind === 'last' ? '最後の作品' : 'その作品';
}
