/**
 * What the responder reads out of prompt text: 『bracketed』 titles, numbered title lists,
 * entity maps, labelled retrieval lines and role-marked turns. Every scan is one pass with
 * bounded look-back, so a 1 MB prompt costs linear time (no regex over unbounded spans).
 */
import { type Reference, referenceOfKey } from './ordinals.js';

const maxTitleLength = 80;

export interface TitleMention { title: string; start: number }

/** Every 『title』 in text, in order. An opening bracket with no close nearby is skipped. */
export function titlesIn(text: string): TitleMention[] {
  const mentions: TitleMention[] = [];
  let close = -1;
  for (let open = text.indexOf('『'); open >= 0; open = text.indexOf('『', open + 1)) {
    if (close <= open) close = text.indexOf('』', open + 1);
    if (close < 0) break;
    const title = text.slice(open + 1, close).trim();
    if (title.length > 0 && title.length <= maxTitleLength && !title.includes('『')) mentions.push({ title, start: open });
  }
  return mentions;
}

const listMarker = /(?:^|[^0-9])([0-9]{1,2})\s?[.．)）]\s{0,3}$/;

/** The titles of the last numbered list ("1. 『A』 … 3. 『C』") in text, in list order. */
export function lastNumberedList(text: string): string[] | undefined {
  let current: string[] | undefined;
  let latest: string[] | undefined;
  for (const mention of titlesIn(text)) {
    const marker = listMarker.exec(text.slice(Math.max(0, mention.start - 8), mention.start));
    const number = marker?.[1] ? Number(marker[1]) : 0;
    if (number === 1) {
      current = [mention.title];
      latest = current;
    } else if (current && number === current.length + 1) {
      current.push(mention.title);
    }
  }
  return latest;
}

/** Ordinals and pronouns mapped to titles, as a summary's entity memory states them. */
export interface EntityMap { positions: Map<number, string>; last?: string; that?: string }

function addEntry(map: EntityMap, key: string, value: string): boolean {
  const reference: Reference | undefined = referenceOfKey(key);
  const title = value.trim().replace(/^['"‘’“”「『]+|['"‘’“”」』。.,、]+$/g, '').trim();
  if (!reference || title.length === 0 || title.length > maxTitleLength) return false;
  if (reference.kind === 'position') map.positions.set(reference.position, title);
  else map[reference.kind] = title;
  return true;
}

/** Lines like `- '2番目' = 『B』` or `2番目 = B`. */
function addLineEntries(map: EntityMap, text: string): boolean {
  let found = false;
  for (const line of text.split('\n')) {
    if (line.length > 200) continue;
    const equals = line.search(/[=＝]/);
    if (equals < 0) continue;
    const key = line.slice(0, equals).replace(/^\s*[-*・•]\s*/, '');
    if (addEntry(map, key, line.slice(equals + 1))) found = true;
  }
  return found;
}

/** JSON objects like `{"2番目": "B"}`, including the emulator's own `エンティティ:` line. */
function addJsonEntries(map: EntityMap, text: string): boolean {
  let found = false;
  let open = -1;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x7b) open = i;
    else if (code === 0x7d && open >= 0) {
      if (i - open < 4_000) found = addParsedObject(map, text.slice(open, i + 1)) || found;
      open = -1;
    }
  }
  return found;
}

function addParsedObject(map: EntityMap, json: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return false;
  }
  if (typeof parsed !== 'object' || parsed === null) return false;
  let found = false;
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'string' && addEntry(map, key, value)) found = true;
  }
  return found;
}

/** The entity map stated in text (later statements win), or undefined when there is none. */
export function entityMapIn(text: string): EntityMap | undefined {
  const map: EntityMap = { positions: new Map() };
  const fromLines = addLineEntries(map, text);
  const fromJson = text.includes('{') && addJsonEntries(map, text);
  return fromLines || fromJson ? map : undefined;
}

/** The title an entity map gives for a reference. */
export function resolveInMap(map: EntityMap, reference: Reference): string | undefined {
  if (reference.kind === 'position') return map.positions.get(reference.position);
  if (reference.kind === 'that') return map.that;
  if (map.last) return map.last;
  const highest = Math.max(0, ...map.positions.keys());
  return map.positions.get(highest);
}

const labelledTitle = /^\s*[-*・]?\s*(?:title|タイトル|作品名)\s*[:：]\s*(.+?)\s*$/i;

/** Retrieval lines like `タイトル: A` or `title: 『A』`. */
export function labelledTitlesIn(text: string): string[] {
  const titles: string[] = [];
  for (const line of text.split('\n')) {
    if (line.length > 200) continue;
    const title = labelledTitle.exec(line)?.[1]?.replace(/^『|』$/g, '');
    if (title) titles.push(title);
  }
  return titles;
}

const roleMarker = /^\s*(?:User|Human|Assistant|Bot|AI|ユーザー|アシスタント|お客様)\s*[:：]/i;

export interface MarkedTurn { role: 'user' | 'assistant'; text: string }

/** Splits a transcript pasted into one message ("User: …\nAssistant: …") into its turns. */
export function markedTurns(text: string, role: 'user' | 'assistant'): MarkedTurn[] {
  const turns: MarkedTurn[] = [];
  let current: MarkedTurn = { role, text: '' };
  for (const line of text.split('\n')) {
    const marker = line.length <= 4_000 ? roleMarker.exec(line) : null;
    if (marker) {
      if (current.text.length > 0) turns.push(current);
      const assistant = /assistant|bot|ai|アシスタント/i.test(marker[0]);
      current = { role: assistant ? 'assistant' : 'user', text: line.slice(marker[0].length) };
    } else {
      current.text += current.text.length > 0 ? `\n${line}` : line;
    }
  }
  if (current.text.length > 0) turns.push(current);
  return turns;
}

const fenceOpen = '<user_input';
const fenceClose = '</user_input>';

/**
 * A message split at its `<user_input id="…">…</user_input>` fences (the service's, issue 14):
 * the text of the last fence (the question), and everything outside them, which is where the
 * service's own blocks are. The customer's text cannot close a fence: the service replaces its `<`.
 */
export function splitFenced(text: string): { lastFenced: string | undefined; outside: string } {
  let outside = '';
  let lastFenced: string | undefined;
  let from = 0;
  for (let open = text.indexOf(fenceOpen); open >= 0; open = text.indexOf(fenceOpen, from)) {
    const bodyStart = text.indexOf('>', open);
    const close = bodyStart < 0 ? -1 : text.indexOf(fenceClose, bodyStart);
    if (close < 0) break;
    outside += text.slice(from, open);
    lastFenced = text.slice(bodyStart + 1, close).trim();
    from = close + fenceClose.length;
  }
  return { lastFenced, outside: outside + text.slice(from) };
}
