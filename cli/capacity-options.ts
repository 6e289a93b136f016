import { join, resolve } from 'node:path';
import { durationFlag, type FlagSpec, numberFlag, type ParsedCommand, stringFlag, targetFlag } from './args.js';
import type { CliConfig } from './config.js';
import { CliError, cliErrors } from './errors.js';
import { newRunId, runCliErrors } from './run-options.js';
import type { Incident } from '../scenarios/incident.js';
import { incidents } from '../scenarios/index.js';
import type { QuotaOverrides } from '../scenarios/run/capacity-file.js';
import { stepRates } from '../scenarios/run/capacity-judge.js';
import { planStats } from '../scenarios/run/capacity-step.js';
import type { LoadTarget } from '../engine/session-plan.js';

/** Errors only `gameday capacity` raises (stable codes, messages that say what to do). */
export const capacityCliErrors = {
  generatorBound: (rate: number, reason: string, held: number | null) =>
    new CliError('GAMEDAY_ERR_CAPACITY_GENERATOR_BOUND',
      `the ${rate} msg/s step is not evidence: ${reason}. That step measured the generator, not the service, so it is not the knee. `
      + `${held === null ? 'No step held before it.' : `The service held every gate up to ${held} msg/s.`} Measure higher rates from a generator with `
      + 'headroom (another machine, with --target), or leave this machine quieter; capacity.json and the report keep what was measured.'),
};

export const capacityFlags: FlagSpec = {
  from: { type: 'string' },
  step: { type: 'string' },
  max: { type: 'string' },
  hold: { type: 'string' },
  warmup: { type: 'string' },
  incident: { type: 'string' },
  workers: { type: 'string' },
  'sonnet-rpm': { type: 'string' },
  'haiku-rpm': { type: 'string' },
  target: { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export interface CapacityRequest {
  incident: Incident;
  rates: number[];
  holdMs: number;
  warmupMs: number;
  /** One session length of the incident's plans at real speed: the default warm-up. */
  sessionMs: number;
  workers: number;
  quotas: QuotaOverrides;
  target: LoadTarget | null;
  outDir: string;
  runId: string;
  seed: number;
  json: boolean;
}

const rateCheck = { min: 0.01, max: 10_000 };
const windowMs = 10_000;

function quotaFlag(values: ParsedCommand['values'], name: string): number | undefined {
  return values[name] === undefined ? undefined : numberFlag(values, name, 0, { min: 1, max: 1_000_000, integer: true });
}

/** Turns `gameday capacity` arguments into a request; every bad value is a usage error naming its flag. */
export function capacityRequestFromArgs(parsed: ParsedCommand, config: CliConfig): CapacityRequest {
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw cliErrors.usage(`gameday capacity takes options only, not "${positionals[0]}" (the session mix is --incident ID)`);
  const name = stringFlag(values, 'incident') ?? 'steady-1m-day';
  const incident = incidents.get(name as Incident['id']);
  if (!incident) throw runCliErrors.unknownIncident(name);
  const from = numberFlag(values, 'from', 10, rateCheck);
  const step = numberFlag(values, 'step', 10, rateCheck);
  const max = numberFlag(values, 'max', 200, rateCheck);
  if (max < from) throw cliErrors.usage(`--max (${max}) must be at least --from (${from})`);
  const seed = numberFlag(values, 'seed', 1, { min: 0, max: 2 ** 31 - 1, integer: true });
  const holdMs = durationFlag(values, 'hold', 60_000);
  const sessionMs = planStats(incident.session, seed).meanSessionMs;
  const warmupMs = values.warmup === undefined ? sessionMs : durationFlag(values, 'warmup', 0);
  // The gates are judged on whole 10 s windows past the warm-up: a hold must leave at least one.
  const needed = Math.ceil(warmupMs / windowMs) * windowMs + windowMs;
  if (holdMs < needed) {
    throw cliErrors.usage(`--hold must be at least ${needed / 1000}s: the warm-up (${Math.round(warmupMs / 100) / 10} s, one session length; --warmup) `
      + `is left out of the judgement and the gates need at least one whole ${windowMs / 1000} s window after it`);
  }
  const target = targetFlag(values);
  const quotas: QuotaOverrides = {
    ...(quotaFlag(values, 'sonnet-rpm') === undefined ? {} : { sonnetRpm: quotaFlag(values, 'sonnet-rpm') }),
    ...(quotaFlag(values, 'haiku-rpm') === undefined ? {} : { haikuRpm: quotaFlag(values, 'haiku-rpm') }),
  };
  if (target && (values.workers !== undefined || Object.keys(quotas).length > 0)) {
    throw cliErrors.usage('--workers, --sonnet-rpm and --haiku-rpm set up the stack gameday starts; a --target keeps its own');
  }
  const runId = newRunId();
  return {
    incident, rates: stepRates(from, step, max), holdMs, warmupMs, sessionMs, quotas, target, runId, seed,
    workers: numberFlag(values, 'workers', 2, { min: 1, max: 64, integer: true }),
    outDir: resolve(stringFlag(values, 'out') ?? join(config.repoRoot, 'reports', 'runs', runId)),
    json: values.json === true,
  };
}
