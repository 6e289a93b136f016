/**
 * Finds where the first JSON value in a body ends, failing with the message Go's json.Decoder
 * gives for the first bad byte (`invalid character 'o' in literal null (expecting 'u')`), so
 * our 400s for malformed bodies read like Toxiproxy's. Like the Decoder, bytes after the
 * first complete value are never looked at.
 */

export class JsonSyntaxError extends Error {}

/** Go's quoteChar: the character in single quotes, escaped as strconv.Quote would. */
function quoteChar(character: string): string {
  if (character === "'") return "'\\''";
  if (character === '"') return `'"'`;
  const named: Record<string, string> = { '\u0007': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u000b': '\\v', '\\': '\\\\' };
  const code = character.codePointAt(0) ?? 0;
  const quoted = named[character] ?? (code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : character);
  return `'${quoted}'`;
}

const whitespace = new Set([' ', '\t', '\n', '\r']);
const escapes = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

class Scanner {
  position = 0;

  constructor(private readonly text: string) {}

  peek(): string | undefined {
    return this.text[this.position];
  }

  /** The next character, or the decoder's `unexpected EOF` when the body stops mid-value. */
  take(): string {
    const character = this.text[this.position];
    if (character === undefined) throw new JsonSyntaxError('unexpected EOF');
    this.position += 1;
    return character;
  }

  fail(character: string, context: string): never {
    throw new JsonSyntaxError(`invalid character ${quoteChar(character)} ${context}`);
  }

  skipWhitespace(): void {
    while (whitespace.has(this.peek() ?? '')) this.position += 1;
  }

  value(): void {
    this.skipWhitespace();
    const first = this.take();
    if (first === '{') this.object();
    else if (first === '[') this.array();
    else if (first === '"') this.string();
    else if (first === '-' || /[0-9]/.test(first)) this.number(first);
    else if (first === 't') this.literal('true');
    else if (first === 'f') this.literal('false');
    else if (first === 'n') this.literal('null');
    else this.fail(first, 'looking for beginning of value');
  }

  object(): void {
    this.skipWhitespace();
    if (this.peek() === '}') {
      this.position += 1;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      const quote = this.take();
      if (quote !== '"') this.fail(quote, 'looking for beginning of object key string');
      this.string();
      this.skipWhitespace();
      const colon = this.take();
      if (colon !== ':') this.fail(colon, 'after object key');
      this.value();
      this.skipWhitespace();
      const after = this.take();
      if (after === '}') return;
      if (after !== ',') this.fail(after, 'after object key:value pair');
    }
  }

  array(): void {
    this.skipWhitespace();
    if (this.peek() === ']') {
      this.position += 1;
      return;
    }
    for (;;) {
      this.value();
      this.skipWhitespace();
      const after = this.take();
      if (after === ']') return;
      if (after !== ',') this.fail(after, 'after array element');
    }
  }

  string(): void {
    for (;;) {
      const character = this.take();
      if (character === '"') return;
      if (character === '\\') {
        const escape = this.take();
        if (escape === 'u') {
          for (let i = 0; i < 4; i += 1) {
            const hex = this.take();
            if (!/[0-9a-fA-F]/.test(hex)) this.fail(hex, 'in \\u hexadecimal character escape');
          }
        } else if (!escapes.has(escape)) {
          this.fail(escape, 'in string escape code');
        }
      } else if (character < ' ') {
        this.fail(character, 'in string literal');
      }
    }
  }

  private digits(): void {
    while (/[0-9]/.test(this.peek() ?? '')) this.position += 1;
  }

  /** A number ends at the first byte that cannot continue it, which the caller then judges. */
  number(first: string): void {
    let leading = first;
    if (first === '-') {
      leading = this.take();
      if (!/[0-9]/.test(leading)) this.fail(leading, 'in numeric literal');
    }
    if (leading !== '0') this.digits();
    if (this.peek() === '.') {
      this.position += 1;
      const digit = this.take();
      if (!/[0-9]/.test(digit)) this.fail(digit, 'after decimal point in numeric literal');
      this.digits();
    }
    if (this.peek() === 'e' || this.peek() === 'E') {
      this.position += 1;
      let digit = this.take();
      if (digit === '+' || digit === '-') digit = this.take();
      if (!/[0-9]/.test(digit)) this.fail(digit, 'in exponent of numeric literal');
      this.digits();
    }
  }

  literal(word: string): void {
    for (const expected of word.slice(1)) {
      const character = this.take();
      if (character !== expected) this.fail(character, `in literal ${word} (expecting ${quoteChar(expected)})`);
    }
  }
}

/** The index just past the first JSON value in `text`; what follows it is never looked at. */
export function endOfFirstJsonValue(text: string): number {
  const scanner = new Scanner(text);
  scanner.skipWhitespace();
  if (scanner.peek() === undefined) throw new JsonSyntaxError('EOF');
  scanner.value();
  return scanner.position;
}
