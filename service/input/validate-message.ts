import { Buffer } from 'node:buffer';
import type { ServiceConfig } from '../config.js';
import { serviceErrors } from '../errors.js';

const graphemes = new Intl.Segmenter('ja', { granularity: 'grapheme' });
const blank = /^\s*$/u;

/** Grapheme clusters, as a reader counts characters; counting stops once past `stopAbove`. */
export function graphemeCount(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let count = 0;
  for (const _segment of graphemes.segment(text)) {
    count += 1;
    if (count > stopAbove) break;
  }
  return count;
}

/**
 * Seed 004 s3: the limit is 4000 characters as a reader counts them (grapheme clusters), so
 * "🎉"×2001 is valid. Intl.Segmenter is slow on long strings on Node 20, so a string that cannot
 * be valid by its UTF-16 size is refused before anything is segmented, and one that cannot be
 * too long by it (almost every chat message) is never segmented.
 */
export function validateMessage(text: string, config: ServiceConfig): void {
  const { maxGraphemes, maxBytesPerGrapheme } = config.input;
  if (config.naive.utf16Length) {
    if (text.length > maxGraphemes) throw serviceErrors.messageTooLong(`${text.length} UTF-16 units, limit ${maxGraphemes}`);
    if (blank.test(text)) throw serviceErrors.emptyMessage();
    return;
  }
  if (blank.test(text)) throw serviceErrors.emptyMessage();
  // Every grapheme is at least one UTF-16 unit, and that many units are at most 3 UTF-8 bytes each.
  if (text.length <= maxGraphemes) return;
  const maxBytes = maxGraphemes * maxBytesPerGrapheme;
  // A grapheme is at least one UTF-16 unit and every unit is at most 3 UTF-8 bytes (a surrogate
  // pair is 4), so more units than the byte limit can never fit.
  if (text.length > maxBytes) throw serviceErrors.messageTooLong(`${text.length} UTF-16 units cannot fit ${maxBytes} bytes`);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) throw serviceErrors.messageTooLong(`${bytes} UTF-8 bytes, limit ${maxBytes}`);
  if (graphemeCount(text, maxGraphemes) > maxGraphemes) throw serviceErrors.messageTooLong(`more than ${maxGraphemes} graphemes`);
}
