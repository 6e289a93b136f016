import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { seed004Payloads } from '../service/input/seed-004-payloads.js';
import { respond, unresolvedSentence } from '../stack/bedrock/responder.js';
import { findReference } from '../stack/bedrock/ordinals.js';
import { seededRandom } from '../stack/random.js';
import { numberedTitles } from './kit/coreference.js';
import { genreWords, greetings, listRequest, ordinalAsk, readingNotes, storeQuestions } from './kit/manga-questions.js';
import {
  atoms, boundaryCases, maxGraphemes, maxUtf8Bytes, mixedText, payloadCases, repeatText, seed004Cases, utf8Length,
} from './kit/unicode-payloads.js';

const segmenter = new Intl.Segmenter('ja', { granularity: 'grapheme' });
const graphemes = (text: string) => {
  let count = 0;
  for (const _segment of segmenter.segment(text)) count += 1;
  return count;
};

/** The emulator's answer to one question with nothing before it. */
const answer = (question: string) =>
  respond({ system: '', messages: [{ role: 'user', text: question }], maxTokens: 1_024 }, { family: 'sonnet', random: seededRandom(1), targetOutputTokens: 300 }).text;

describe('repeatText', () => {
  it('builds the same text as String.prototype.repeat does in Node, for every count and atom', () => {
    for (const atom of ['A', 'あ', '𠮷', '🎉', '👨\u200d👩\u200d👧\u200d👦']) {
      for (let count = 0; count <= 33; count += 1) expect(repeatText(atom, count)).toBe(atom.repeat(count));
      expect(repeatText(atom, 4_001)).toBe(atom.repeat(4_001));
    }
  });
});

describe('unicode payloads (seed 004 s3 and the limits around it)', () => {
  it('have the grapheme count they claim, by Intl.Segmenter, and the UTF-8 length Buffer gives', () => {
    for (const payload of payloadCases) {
      expect(graphemes(payload.text), payload.name).toBe(payload.graphemes);
      expect(utf8Length(payload.text), payload.name).toBe(Buffer.byteLength(payload.text, 'utf8'));
    }
  });

  it('are valid exactly when they have at most 4000 graphemes and 16,000 UTF-8 bytes', () => {
    for (const payload of payloadCases) {
      const valid = payload.graphemes <= maxGraphemes && Buffer.byteLength(payload.text, 'utf8') <= maxUtf8Bytes;
      expect(payload.valid, payload.name).toBe(valid);
    }
  });

  it('keep seed 004\'s list with its one correction: "🎉" x 2001 is valid, as the service\'s own copy of the list says', () => {
    expect(seed004Cases.map((payload) => payload.text)).toEqual(seed004Payloads.map((payload) => payload.text));
    expect(seed004Cases.map((payload) => payload.valid)).toEqual(seed004Payloads.map((payload) => payload.hardened));
    const party = seed004Cases.find((payload) => payload.text === '🎉'.repeat(2001));
    expect(party).toMatchObject({ valid: true, graphemes: 2001 });
    expect(party?.text.length).toBe(4002);
  });

  it('sit on every side of the limits: at and one past 4000 graphemes, 16,000 bytes, and 4000 UTF-16 units', () => {
    const byName = (part: string) => boundaryCases.find((payload) => payload.name.startsWith(part));
    expect(byName('𠮷 x 4000')).toMatchObject({ graphemes: 4000, valid: true });
    expect(Buffer.byteLength(byName('𠮷 x 4000')?.text ?? '')).toBe(16_000);
    expect(byName('𠮷 x 4001')).toMatchObject({ valid: false });
    expect(byName('family ZWJ x 640')).toMatchObject({ valid: true });
    expect(Buffer.byteLength(byName('family ZWJ x 640')?.text ?? '')).toBe(16_000);
    expect(byName('family ZWJ x 641')).toMatchObject({ graphemes: 641, valid: false });
    expect(byName('mixed JP and emoji, 4000')).toMatchObject({ graphemes: 4000, valid: true });
    expect(byName('mixed JP and emoji, 4001')).toMatchObject({ valid: false });
    // Valid, but more than 4000 UTF-16 units: what the naive utf16Length check wrongly refuses.
    const wronglyRefusedByUtf16 = payloadCases.filter((payload) => payload.valid && payload.text.length > maxGraphemes);
    expect(wronglyRefusedByUtf16.length).toBeGreaterThanOrEqual(4);
  });

  it('use single graphemes for ZWJ families, surrogate pairs, modifiers, flags, keycaps and combining marks', () => {
    for (const [name, atom] of Object.entries(atoms)) expect(graphemes(atom), name).toBe(1);
    expect(atoms.family).toHaveLength(11);
    expect(Buffer.byteLength(atoms.family)).toBe(25);
    expect(atoms.yoshi).toHaveLength(2);
    expect(graphemes(mixedText(123))).toBe(123);
  });
});

describe('Japanese manga questions, as the Bedrock emulator answers them', () => {
  it('list requests in every genre get a numbered list of three titles', () => {
    for (const genre of genreWords) {
      for (let seed = 0; seed < 3; seed += 1) {
        const question = listRequest(seededRandom(seed), genre);
        expect(numberedTitles(answer(question)), question).toHaveLength(3);
      }
    }
  });

  it('greetings, store questions and reading notes get plain answers: no list, no reference', () => {
    const notes = Array.from({ length: 20 }, (_, seed) => readingNotes(seededRandom(seed), 3_600));
    for (const question of [...greetings, ...storeQuestions, ...notes]) {
      expect(findReference(question), question.slice(0, 40)).toBeUndefined();
      const reply = answer(question);
      expect(numberedTitles(reply), question.slice(0, 40)).toBeUndefined();
      expect(reply).not.toContain(unresolvedSentence);
    }
  });

  it('ordinal asks name the position they ask about', () => {
    for (let seed = 0; seed < 20; seed += 1) {
      for (const position of [1, 2, 3]) {
        expect(findReference(ordinalAsk(seededRandom(seed), position))).toEqual({ kind: 'position', position });
      }
    }
  });

  it('reading notes are as long as asked, single-unit text, and never past 4000 graphemes', () => {
    for (let seed = 0; seed < 20; seed += 1) {
      const notes = readingNotes(seededRandom(seed), 3_600);
      expect(notes.length).toBeGreaterThanOrEqual(3_600);
      expect(notes.length).toBeLessThan(3_700);
      expect(graphemes(notes)).toBe(notes.length);
    }
  });
});
