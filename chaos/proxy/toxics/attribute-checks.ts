import { ToxicAttributeError, type ToxicAttributes } from '../toxic.js';

/**
 * Toxiproxy decodes attributes with Go's encoding/json into a struct per toxic, so a value of
 * the wrong type is refused with Go's own wording; we answer with the same text.
 */
export interface GoField {
  /** The Go struct the real server decodes into, e.g. `LatencyToxic`. */
  struct: string;
  /** The JSON attribute name, e.g. `latency`. */
  name: string;
  /** The Go type of the field: `int64` for most, `int` for slicer's. */
  type: 'int64' | 'int' | 'string';
}

/** How Go's encoding/json describes a JSON value it could not store. */
function describeJsonValue(value: unknown): string {
  if (typeof value === 'number') return `number ${value}`;
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'array';
  if (value === null || value === undefined) return 'null';
  return 'object';
}

function typeError(field: GoField, value: unknown): ToxicAttributeError {
  return new ToxicAttributeError(
    `bad request body: json: cannot unmarshal ${describeJsonValue(value)} into Go struct field ` +
      `${field.struct}.attributes.${field.name} of type ${field.type}`,
  );
}

/**
 * The attribute as an integer at least `min`, or a ToxicAttributeError. Safe integers only:
 * beyond 2^53 a JSON number no longer means one exact value here.
 */
export function requireInteger(
  attributes: ToxicAttributes,
  field: GoField,
  min: number,
  belowMinimum: string,
): number {
  const value: unknown = attributes[field.name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw typeError(field, value);
  if (value < min) throw new ToxicAttributeError(belowMinimum);
  return value;
}

/** The attribute as one of `choices`, or a ToxicAttributeError. */
export function requireChoice<C extends string>(
  attributes: ToxicAttributes,
  field: GoField,
  choices: readonly C[],
  notAChoice: string,
): C {
  const value: unknown = attributes[field.name];
  if (typeof value !== 'string') throw typeError(field, value);
  const choice = choices.find((candidate) => candidate === value);
  if (choice === undefined) throw new ToxicAttributeError(notAChoice);
  return choice;
}
