/**
 * Seed 004's token estimate: a Japanese character (kana, kanji, CJK punctuation, full-width
 * forms) costs about 1.5 tokens, any other character about 0.3. Characters are code points,
 * so 𠮷 (a surrogate pair) is one character. Counted in tenths so the sum is exact, and
 * rounded up: a budget must not under-count, and any non-empty text costs at least 1.
 */
const japaneseTenths = 15;
const otherTenths = 3;

function isJapanese(codePoint: number): boolean {
  return (codePoint >= 0x3000 && codePoint <= 0x9fff) // CJK punctuation, kana, kanji and their extensions
    || (codePoint >= 0xf900 && codePoint <= 0xfaff) // CJK compatibility ideographs
    || (codePoint >= 0xff00 && codePoint <= 0xffef) // full-width and half-width forms
    || (codePoint >= 0x20000 && codePoint <= 0x3ffff); // supplementary ideographs (𠮷)
}

/** Linear in the text's length; no regex, no intermediate strings. */
export function estimateTokens(text: string): number {
  let tenths = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    let codePoint = code;
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        codePoint = (code - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
        i += 1;
      }
    }
    tenths += isJapanese(codePoint) ? japaneseTenths : otherTenths;
  }
  return Math.ceil(tenths / 10);
}

/** The longest prefix of text (whole code points) whose estimate is at most maxTokens. */
export function clipToTokens(text: string, maxTokens: number, marker = '…'): string {
  if (estimateTokens(text) <= maxTokens) return text;
  const limit = maxTokens * 10 - otherTenths * marker.length;
  let tenths = 0;
  let end = 0;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    const width = code >= 0xd800 && code <= 0xdbff && end + 1 < text.length ? 2 : 1;
    const codePoint = text.codePointAt(end) ?? code;
    const cost = isJapanese(codePoint) ? japaneseTenths : otherTenths;
    if (tenths + cost > limit) break;
    tenths += cost;
    end += width;
  }
  return end === 0 ? '' : text.slice(0, end) + marker;
}
