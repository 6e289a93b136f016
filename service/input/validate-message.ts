import { Buffer } from 'node:buffer';
import type { ServiceConfig } from '../config.js';
import { serviceErrors } from '../errors.js';

const graphemes = new Intl.Segmenter('ja', { granularity: 'grapheme' });
const blank = /^\s*$/u;

export interface ValidMessage {
  text: string;
  /** Grapheme clusters as a reader counts characters; under the naive utf16Length switch, UTF-16 units. */
  length: number;
}

/**
 * Seed 004 s3: the limit is 4000 characters as a reader counts them (grapheme clusters), so
 * "🎉"×2001 is valid. Intl.Segmenter is slow on long strings on Node 20, so a string that cannot
 * be valid by its UTF-16 size is refused before anything is segmented.
 */
export function validateMessage(text: string, config: ServiceConfig): ValidMessage {
  const { maxGraphemes, maxBytesPerGrapheme } = config.input;
  if (config.naive.utf16Length) {
    if (text.length > maxGraphemes) throw serviceErrors.messageTooLong(`${text.length} UTF-16 units, limit ${maxGraphemes}`);
    if (blank.test(text)) throw serviceErrors.emptyMessage();
    return { text, length: text.length };
  }
  const maxBytes = maxGraphemes * maxBytesPerGrapheme;
  // A grapheme is at least one UTF-16 unit and every unit is at most 3 UTF-8 bytes (a surrogate
  // pair is 4), so more units than the byte limit can never fit.
  if (text.length > maxBytes) throw serviceErrors.messageTooLong(`${text.length} UTF-16 units cannot fit ${maxBytes} bytes`);
  if (blank.test(text)) throw serviceErrors.emptyMessage();
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) throw serviceErrors.messageTooLong(`${bytes} UTF-8 bytes, limit ${maxBytes}`);
  let count = 0;
  for (const _segment of graphemes.segment(text)) {
    count += 1;
    if (count > maxGraphemes) throw serviceErrors.messageTooLong(`more than ${maxGraphemes} graphemes`);
  }
  return { text, length: count };
}
