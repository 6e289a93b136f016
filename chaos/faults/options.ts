import { FaultOptionError, type FaultOptionSpec } from './fault.js';

export type FaultOptionValue = string | number | boolean;

const durationUnits: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
// Redis's size syntax: k/m/g are powers of 1000, kb/mb/gb powers of 1024.
const sizeUnits: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };

function parseValue(spec: FaultOptionSpec, value: FaultOptionValue, fault: string): FaultOptionValue {
  const bad = (expected: string) =>
    new FaultOptionError(spec.name, `${fault}: option "${spec.name}" must be ${expected}, not ${JSON.stringify(value)}`);
  const text = String(value).trim();
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string' || text === '') throw bad('a non-empty string');
      return text;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (text === 'true' || text === 'false') return text === 'true';
      throw bad('true or false');
    case 'choice':
      if (!spec.choices?.includes(text)) throw bad(`one of ${spec.choices?.join(', ')}`);
      return text;
    case 'integer':
    case 'number': {
      const number = typeof value === 'number' ? value : text === '' ? Number.NaN : Number(text);
      if (typeof value === 'boolean' || !Number.isFinite(number)) throw bad(spec.kind === 'integer' ? 'a whole number' : 'a number');
      if (spec.kind === 'integer' && !Number.isInteger(number)) throw bad('a whole number');
      return number;
    }
    case 'duration': {
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
      const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
      if (typeof value !== 'string' || !match) throw bad('a duration like 500ms, 30s, 15m or 1h');
      return Number(match[1]) * (durationUnits[match[2] as string] as number);
    }
    case 'size': {
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
      const match = /^(\d+)(b|kb?|mb?|gb?)?$/i.exec(text);
      if (typeof value !== 'string' || !match) throw bad('a size like 512kb, 4mb, 1gb or a number of bytes');
      return Number(match[1]) * (sizeUnits[(match[2] ?? '').toLowerCase()] as number);
    }
  }
}

/**
 * A fault's options checked against its specs: unknown names and bad values throw
 * FaultOptionError naming the option; defaults fill the gaps; durations become milliseconds
 * and sizes bytes. Values may come as CLI strings or as typed values from code.
 */
export class FaultOptions {
  private readonly values = new Map<string, FaultOptionValue>();

  constructor(private readonly fault: string, specs: readonly FaultOptionSpec[], raw: Record<string, FaultOptionValue>) {
    const known = new Map(specs.map((spec) => [spec.name, spec]));
    for (const name of Object.keys(raw)) {
      if (!known.has(name)) {
        throw new FaultOptionError(name, `${fault}: unknown option "${name}"; it takes ${specs.map((spec) => spec.name).join(', ')}`);
      }
    }
    for (const spec of specs) {
      const value = raw[spec.name] ?? spec.default;
      if (value !== undefined) this.values.set(spec.name, parseValue(spec, value, fault));
    }
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  number(name: string, range: { min?: number; max?: number } = {}): number {
    const value = this.maybeNumber(name, range);
    if (value === undefined) throw new FaultOptionError(name, `${this.fault}: option "${name}" is required`);
    return value;
  }

  maybeNumber(name: string, range: { min?: number; max?: number } = {}): number | undefined {
    const value = this.values.get(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'number') throw new TypeError(`option ${name} is not numeric`);
    const { min = -Infinity, max = Infinity } = range;
    if (value < min || value > max) {
      const bounds = max === Infinity ? `at least ${min}` : min === -Infinity ? `at most ${max}` : `from ${min} to ${max}`;
      throw new FaultOptionError(name, `${this.fault}: option "${name}" must be ${bounds}, not ${value}`);
    }
    return value;
  }

  string(name: string): string {
    const value = this.maybeString(name);
    if (value === undefined) throw new FaultOptionError(name, `${this.fault}: option "${name}" is required`);
    return value;
  }

  maybeString(name: string): string | undefined {
    const value = this.values.get(name);
    return value === undefined ? undefined : String(value);
  }

  boolean(name: string): boolean {
    return this.values.get(name) === true;
  }

  /** Throws FaultOptionError naming `name` unless `valid`. */
  check(valid: boolean, name: string, message: string): void {
    if (!valid) throw new FaultOptionError(name, `${this.fault}: option "${name}" ${message}`);
  }
}

/** "a=1,b=x" → { a: 1, b: 'x' }: numbers where the text is one (Toxiproxy attributes are integers). */
export function parseAttributes(text: string, option: string, fault: string): Record<string, number | string> {
  const attributes: Record<string, number | string> = {};
  for (const pair of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const match = /^([a-z_][a-z0-9_]*)=(.+)$/i.exec(pair);
    if (!match) throw new FaultOptionError(option, `${fault}: option "${option}" must be k=v pairs separated by commas, not "${pair}"`);
    const value = (match[2] as string).trim();
    attributes[match[1] as string] = /^-?\d+$/.test(value) ? Number(value) : value;
  }
  return attributes;
}

export function formatAttributes(attributes: Record<string, number | string>): string {
  return Object.entries(attributes).map(([key, value]) => `${key}=${value}`).join(' ');
}
