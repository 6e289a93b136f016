import { parseArgs } from 'node:util';
import { cliErrors } from './errors.js';
import { targetFromUrl } from '../scenarios/run/target-check.js';
import type { LoadTarget } from '../engine/session-plan.js';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export interface ParsedCommand {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Strict parsing: an unknown flag or a missing value is a usage error that names it. */
export function parseFlags(args: string[], flags: FlagSpec): ParsedCommand {
  try {
    const { values, positionals } = parseArgs({ args, options: flags, strict: true, allowPositionals: true });
    return { values: values as ParsedCommand['values'], positionals };
  } catch (error) {
    throw cliErrors.usage((error as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
}

export function stringFlag(values: ParsedCommand['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function portFlag(values: ParsedCommand['values'], name: string): number | undefined {
  const raw = stringFlag(values, name);
  if (raw === undefined) return undefined;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
    throw cliErrors.usage(`--${name} must be a port number from 1 to 65535, not "${raw}"`);
  }
  return port;
}

export function numberFlag(values: ParsedCommand['values'], name: string, fallback: number,
  check: { min: number; max: number; integer?: boolean }): number {
  const raw = stringFlag(values, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  const valid = raw.trim() !== '' && Number.isFinite(value) && value >= check.min && value <= check.max
    && (!check.integer || Number.isInteger(value));
  if (!valid) {
    const kind = check.integer ? 'a whole number' : 'a number';
    throw cliErrors.usage(`--${name} must be ${kind} from ${check.min} to ${check.max}, not "${raw}"`);
  }
  return value;
}

export function choiceFlag<T extends string>(values: ParsedCommand['values'], name: string, choices: readonly T[], fallback: T): T {
  const raw = stringFlag(values, name);
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    throw cliErrors.usage(`--${name} must be one of ${choices.join(', ')}, not "${raw}"`);
  }
  return raw as T;
}

/** A Redis memory size such as 64mb, 1gb or 1048576 (bytes). */
export function memorySizeFlag(values: ParsedCommand['values'], name: string, fallback: string): string {
  const raw = stringFlag(values, name);
  if (raw === undefined) return fallback;
  if (!/^\d+(kb|mb|gb)?$/i.test(raw)) throw cliErrors.usage(`--${name} must be a size like 64mb, 1gb or a number of bytes, not "${raw}"`);
  return raw.toLowerCase();
}

const durationUnits: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A duration such as 500ms, 30s, 15m or 1h, in milliseconds. */
export function durationFlag(values: ParsedCommand['values'], name: string, fallbackMs: number): number {
  const raw = stringFlag(values, name);
  if (raw === undefined) return fallbackMs;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(raw);
  if (!match) throw cliErrors.usage(`--${name} must be a duration like 500ms, 30s, 15m or 1h, not "${raw}"`);
  return Number(match[1]) * (durationUnits[match[2] as string] as number);
}

/** --target: a deployment's base URL (http or https), as the load's REST and WebSocket addresses; null when absent. */
export function targetFlag(values: ParsedCommand['values']): LoadTarget | null {
  const raw = stringFlag(values, 'target');
  if (raw === undefined) return null;
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
    throw cliErrors.usage(`--target must be the service's base URL such as http://127.0.0.1:8080 or https://chat.example.com, not "${raw}"`);
  }
  return targetFromUrl(raw);
}
