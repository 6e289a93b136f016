/**
 * The customer's words in a prompt (issue 14): fenced in a tag with a random id per turn, and
 * with the prompt's own section markers made inert, so a question holding a fake
 * `[商品情報]` block or `エンティティ:` line reads as what the customer typed, not as
 * catalogue data or memory. The stored turn keeps the raw text; this is applied each time
 * a prompt is built, to the question and to the history's user turns alike.
 */
import { randomBytes } from 'node:crypto';
import { estimateTokens } from './token-estimate.js';

export const userInputTag = 'user_input';

/** A fresh id for one turn's tag: the customer cannot know it when typing. */
export function newUserInputId(): string {
  return randomBytes(6).toString('hex');
}

// Look-alikes outside the Japanese ranges of token-estimate.ts, so neutralised text never
// costs more than the raw text it replaces and the window's budget stays an upper bound.
const lookAlikes: Record<string, string> = {
  '[': '⁅', ']': '⁆', '［': '⁅', '］': '⁆', '<': '‹', '>': '›', '＜': '‹', '＞': '›',
};
// The markers that end in a colon: its look-alike keeps the word readable but no longer a marker.
const colonMarker = /(質問|エンティティ)(\s*)[:：]/g;

/** The text with brackets, angle brackets (and so the tag itself) and marker colons replaced by look-alikes. */
export function neutralised(text: string): string {
  return text.replace(/[[\]［］<>＜＞]/g, (char) => lookAlikes[char] ?? char).replace(colonMarker, '$1$2∶');
}

/** `<user_input id="…">` + the neutralised text + `</user_input>`. */
export function fencedUserInput(text: string, id: string): string {
  return `<${userInputTag} id="${id}">\n${neutralised(text)}\n</${userInputTag}>`;
}

/** What the fence adds to a turn's estimate, at most (estimates are subadditive). */
export const fenceTokens = estimateTokens(fencedUserInput('', newUserInputId()));
