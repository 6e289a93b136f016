/**
 * JSON written the way Go's encoding/json writes it, so our bodies match Toxiproxy's byte for
 * byte: `<`, `>`, `&`, U+2028 and U+2029 escaped, and float32 fields in their shortest form.
 */

/** A number Go holds as float32 (a toxic's toxicity): printed with float32 precision. */
export class Float32 {
  readonly value: number;

  constructor(value: number) {
    this.value = Math.fround(value);
  }
}

export type GoJsonValue =
  | string
  | number
  | boolean
  | null
  | Float32
  | readonly GoJsonValue[]
  | { readonly [key: string]: GoJsonValue };

const goEscapes: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

function encodeString(text: string): string {
  return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (character) => goEscapes[character] ?? character);
}

/** The shortest decimal that reads back as the same float32, as Go's strconv does for 32 bits. */
export function formatFloat32(value: number): string {
  const target = Math.fround(value);
  if (!Number.isFinite(target) || target === 0) return String(target);
  for (let digits = 1; digits < 9; digits += 1) {
    const candidate = Number(target.toPrecision(digits));
    if (Math.fround(candidate) === target) return String(candidate);
  }
  return String(Number(target.toPrecision(9)));
}

export function encodeGoJson(value: GoJsonValue): string {
  if (value === null) return 'null';
  if (value instanceof Float32) return formatFloat32(value.value);
  if (typeof value === 'string') return encodeString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((item: GoJsonValue) => encodeGoJson(item)).join(',')}]`;
  const fields = Object.entries(value as { [key: string]: GoJsonValue });
  return `{${fields.map(([key, item]) => `${encodeString(key)}:${encodeGoJson(item)}`).join(',')}}`;
}

/** Go sorts map keys by their UTF-8 bytes when it writes a map (GET /proxies). */
export function compareGoMapKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
