/** A bad admin request: answered with 400 and a message that names the field. */
export class AdminInputError extends Error {}

export function objectBody(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AdminInputError(`${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

export function rejectUnknownFields(record: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) {
      throw new AdminInputError(`unknown field "${where}${key}"; allowed: ${allowed.join(', ')}`);
    }
  }
}

export interface NumberRule { min: number; max?: number; integer?: boolean; minExclusive?: boolean }

export function numberField(value: unknown, field: string, rule: NumberRule): number {
  const range = `${rule.minExclusive ? 'greater than' : 'at least'} ${rule.min}${rule.max === undefined ? '' : ` and at most ${rule.max}`}`;
  const kind = rule.integer ? 'an integer' : 'a number';
  const ok = typeof value === 'number' && Number.isFinite(value)
    && (!rule.integer || Number.isInteger(value))
    && (rule.minExclusive ? value > rule.min : value >= rule.min)
    && (rule.max === undefined || value <= rule.max);
  if (!ok) throw new AdminInputError(`"${field}" must be ${kind} ${range} (got ${JSON.stringify(value) ?? 'nothing'})`);
  return value as number;
}
