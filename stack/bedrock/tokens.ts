/**
 * The emulator's own token count: its "truth" for usage, quotas and the 200K input limit.
 * It is not Anthropic's tokenizer; it only has to be deterministic, linear, and cost
 * Japanese the way real tokenizers roughly do (a kanji or kana is a token; an English word
 * is about one token per 4 letters), so that JP payloads weigh what they weigh in production.
 */

const word = 0;
const space = 1;
const punctuation = 2;
const single = 3;
const highSurrogate = 4;
const other = 5;

const lettersPerToken = 4;
const spacesPerToken = 8;
const symbolsPerToken = 2;

const asciiKinds = new Uint8Array(128).map((_, code) => {
  if ((code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) return word;
  if (code === 0x20 || (code >= 0x09 && code <= 0x0d)) return space;
  return punctuation;
});

function kindOf(code: number): number {
  if (code < 0x80) return asciiKinds[code] ?? punctuation;
  if (code >= 0xd800 && code <= 0xdbff) return highSurrogate;
  // Each of these is a token of its own: CJK, kana, Hangul, full-width forms, lone low
  // surrogates, and the invisible joiners and selectors that emoji sequences are built from.
  if ((code >= 0x2e80 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7af)
    || (code >= 0xdc00 && code <= 0xdfff) || (code >= 0xf900 && code <= 0xfaff)
    || (code >= 0xfe00 && code <= 0xfe4f) || (code >= 0xff00 && code <= 0xffef)
    || (code >= 0x1100 && code <= 0x11ff) || (code >= 0x200b && code <= 0x200f)
    || (code >= 0x0300 && code <= 0x036f) || (code >= 0x20d0 && code <= 0x20ff)) return single;
  return other;
}

type Visit = (start: number, end: number) => void;

function visitChunks(start: number, end: number, size: number, visit: Visit): void {
  for (let cut = start; cut < end; cut += size) visit(cut, Math.min(cut + size, end));
}

/** A word from wordStart, with any leading space from start, cut every 4 letters. */
function visitWord(text: string, start: number, wordStart: number, visit: Visit): number {
  let end = wordStart;
  while (end < text.length && kindOf(text.charCodeAt(end)) === word) end += 1;
  let pieceStart = start;
  for (let cut = wordStart + lettersPerToken; cut < end; cut += lettersPerToken) {
    visit(pieceStart, cut);
    pieceStart = cut;
  }
  visit(pieceStart, end);
  return end;
}

/**
 * The one scanner both countTokens and splitTokens use, so they cannot disagree. Each
 * character is looked at a constant number of times. Every piece is greedy from the left
 * and looks ahead only to attach a space to the word after it, so any prefix of the
 * pieces, joined, splits back into the same pieces.
 */
function visitPieces(text: string, visit: Visit): void {
  const length = text.length;
  let i = 0;
  while (i < length) {
    const kind = kindOf(text.charCodeAt(i));
    if (kind === word) {
      i = visitWord(text, i, i, visit);
    } else if (kind === space) {
      let end = i + 1;
      while (end < length && kindOf(text.charCodeAt(end)) === space) end += 1;
      // A single space before a word travels with the word, as in BPE vocabularies (" word").
      const leadsWord = end < length && text.charCodeAt(end - 1) === 0x20 && kindOf(text.charCodeAt(end)) === word;
      visitChunks(i, leadsWord ? end - 1 : end, spacesPerToken, visit);
      i = leadsWord ? visitWord(text, end - 1, end, visit) : end;
    } else if (kind === highSurrogate) {
      const low = i + 1 < length ? text.charCodeAt(i + 1) : 0;
      if (low >= 0xdc00 && low <= 0xdfff) {
        // An astral character (emoji, 𠮷) costs two tokens, but a surrogate pair must never be
        // split (half of it is not valid UTF-8), so its second token is an empty piece.
        visit(i, i + 2);
        visit(i + 2, i + 2);
        i += 2;
      } else {
        visit(i, i + 1);
        i += 1;
      }
    } else if (kind === single) {
      visit(i, i + 1);
      i += 1;
    } else {
      let end = i + 1;
      while (end < length && kindOf(text.charCodeAt(end)) === kind) end += 1;
      visitChunks(i, end, symbolsPerToken, visit);
      i = end;
    }
  }
}

export function countTokens(text: string): number {
  let count = 0;
  visitPieces(text, () => { count += 1; });
  return count;
}

/**
 * Cuts text into consecutive pieces of about one token each; pieces.join('') === text and
 * the number of pieces equals countTokens(text). A piece never splits a surrogate pair; the
 * one empty piece after each astral character carries its second token (a stream writer
 * sends nothing for it).
 */
export function splitTokens(text: string): string[] {
  const pieces: string[] = [];
  visitPieces(text, (start, end) => { pieces.push(text.slice(start, end)); });
  return pieces;
}

/**
 * The longest prefix of text that costs at most maxTokens. It is exactly maxTokens long
 * unless that would keep an astral character without its second token; then it is one less.
 */
export function truncateToTokens(text: string, maxTokens: number): string {
  const pieces = splitTokens(text);
  if (pieces.length <= maxTokens) return text;
  const keep = Math.max(0, pieces[maxTokens] === '' ? maxTokens - 1 : maxTokens);
  return pieces.slice(0, keep).join('');
}

// Role markers around each message and the assistant turn the reply starts, like the
// few tokens Anthropic's usage adds on top of the text.
const tokensPerMessage = 4;
const tokensPerConversation = 3;

export function countConversationTokens(system: string, messages: ReadonlyArray<{ role: string; text: string }>): number {
  let total = tokensPerConversation + countTokens(system);
  for (const message of messages) total += tokensPerMessage + countTokens(message.text);
  return total;
}
