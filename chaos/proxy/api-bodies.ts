import type { IncomingMessage } from 'node:http';
import { apiErrors, type ApiError } from './api-errors.js';
import { endOfFirstJsonValue, JsonSyntaxError } from './go-json-syntax.js';

/**
 * Request bodies read the way Toxiproxy's Go decoder reads them: only the first JSON value
 * counts (trailing bytes are ignored), keys match struct fields case-insensitively with the
 * last one winning, `null` leaves a field as it was, unknown keys are ignored, and a value of
 * the wrong type is a 400 worded as encoding/json words it.
 */

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The body's first JSON value (Go's json.Decoder.Decode), or Toxiproxy's 400. */
export function decodeJsonBody(text: string): unknown {
  let end: number;
  try {
    end = endOfFirstJsonValue(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw apiErrors.badRequestBody(error.message);
    throw error;
  }
  return JSON.parse(text.slice(0, end)) as unknown;
}

/** How encoding/json names a JSON value in its type errors. */
export function jsonKind(value: unknown): string {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'array';
  return 'object';
}

export type GoFieldType = 'string' | 'bool' | 'float32' | 'object';

/** A Go struct as the decoder sees it: its name in errors and its fields by JSON key. */
export interface GoStruct {
  name: string;
  fields: Record<string, { type: GoFieldType; goType?: string }>;
}

const maxFloat32 = 3.4028234663852886e38;

function fits(value: unknown, type: GoFieldType): boolean {
  if (type === 'string') return typeof value === 'string';
  if (type === 'bool') return typeof value === 'boolean';
  if (type === 'float32') return typeof value === 'number' && Math.abs(value) <= maxFloat32;
  return typeof value === 'object' && !Array.isArray(value);
}

function fieldTypeError(struct: GoStruct, key: string, value: unknown, goType: string): ApiError {
  const described = typeof value === 'number' && goType === 'float32' ? `number ${value}` : jsonKind(value);
  return apiErrors.badRequestBody(`json: cannot unmarshal ${described} into Go struct field ${struct.name}.${key} of type ${goType}`);
}

/**
 * The fields present in `value` (a decoded JSON object) by their canonical key. `null` for the
 * whole value decodes to nothing, as Go leaves the struct as it was.
 */
export function decodeGoStruct(value: unknown, struct: GoStruct, goTypeName: string): Record<string, unknown> {
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw apiErrors.badRequestBody(`json: cannot unmarshal ${jsonKind(value)} into Go value of type ${goTypeName}`);
  }
  const decoded: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const canonical = canonicalKey(Object.keys(struct.fields), key);
    if (canonical === undefined || item === null) continue;
    const field = struct.fields[canonical] as { type: GoFieldType; goType?: string };
    if (!fits(item, field.type)) throw fieldTypeError(struct, canonical, item, field.goType ?? field.type);
    decoded[canonical] = item;
  }
  return decoded;
}

/** Go matches a JSON key to a field exactly or, failing that, ignoring case. */
export function canonicalKey(keys: readonly string[], key: string): string | undefined {
  return keys.find((candidate) => candidate === key) ?? keys.find((candidate) => candidate.toLowerCase() === key.toLowerCase());
}
