import { join, resolve } from 'node:path';
import { choiceFlag, durationFlag, type FlagSpec, numberFlag, type ParsedCommand, stringFlag, targetFlag } from './args.js';
import type { CliConfig } from './config.js';
import { CliError, cliErrors } from './errors.js';
import { faultNames, type Incident } from '../scenarios/incident.js';
import { incidents } from '../scenarios/index.js';
import type { RunEngine, RunProfile } from '../scenarios/run/run-incident.js';
import { suites, type Suite } from '../scenarios/run/suite-settings.js';
import type { LoadTarget } from '../engine/session-plan.js';

/** Errors only `gameday run` and `gameday list` raise (stable codes, messages that say what to do). */
export const runCliErrors = {
  unknownIncident: (name: string) =>
    new CliError('GAMEDAY_ERR_UNKNOWN_INCIDENT',
      `unknown incident "${name}"; the incidents are ${[...incidents.keys()].join(', ')}, or all (see \`gameday list\`)`),
  faultsNeedOwnStack: (incident: Incident) =>
    new CliError('GAMEDAY_ERR_FAULTS_NEED_STACK',
      `${incident.id} injects faults (${faultsOf(incident).join(', ')}) into the stack gameday starts, and a --target is a `
      + `deployment it did not start. Against a --target run ${faultFree().join(', ')} (or all, which runs those), or add `
      + '--skip-faults to send its load while you inject the faults with your own tools; its gate then judges the load alone.'),
};

/** The faults of an incident's timeline at its quick scale, by name. */
const faultsOf = (incident: Incident) => faultNames(incident.faults(incident.quickScale, incident.defaultDurationMs));

const faultFree = () => [...incidents.values()].filter((incident) => faultsOf(incident).length === 0).map((incident) => incident.id);

export const runFlags: FlagSpec = {
  engine: { type: 'string' },
  scale: { type: 'string' },
  duration: { type: 'string' },
  shape: { type: 'string' },
  plateau: { type: 'string' },
  suite: { type: 'string' },
  profile: { type: 'string' },
  naive: { type: 'string' },
  target: { type: 'string' },
  'skip-faults': { type: 'boolean' },
  out: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export interface RunRequest {
  /** Every incident when the command said `all`, in the catalogue's order. */
  incidents: Incident[];
  all: boolean;
  engine: RunEngine;
  /** Null: each incident's quick scale. */
  scale: number | null;
  /** Null: each incident's own duration at its scale. */
  durationMs: number | null;
  /** --shape: one of the (single) incident's load shapes; null: its default. */
  shape: string | null;
  /** --suite: what each incident runs at where --scale, --duration and --shape leave it open (default quick). */
  suite: Suite;
  profile: RunProfile;
  naive: string[];
  target: LoadTarget | null;
  /** --skip-faults: send each incident's load without its fault timeline. */
  skipFaults: boolean;
  /** Incidents `all` leaves out, and why (fault incidents against a --target). */
  leftOut: Array<{ incident: Incident; reason: string }>;
  outDir: string;
  runId: string;
  seed: number;
  json: boolean;
}

/** A run id that sorts by time and does not collide with a run started in the same second. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  return `${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

/** --shape: only for one incident that has shapes, and one of them. */
function shapeFlag(values: ParsedCommand['values'], incident: Incident | null): string | null {
  const shape = stringFlag(values, 'shape');
  if (shape === undefined) return null;
  if (!incident) throw cliErrors.usage('--shape goes with one incident (see `gameday list`), not all');
  const shapes = Object.keys(incident.shapes ?? {});
  if (shapes.length === 0) throw cliErrors.usage(`${incident.id} has one load shape; --shape is for ${shapedIncidents().join(', ')}`);
  if (!shapes.includes(shape)) throw cliErrors.usage(`--shape for ${incident.id} is one of ${shapes.join(', ')}, not "${shape}"`);
  return shape;
}

const shapedIncidents = () => [...incidents.values()].filter((each) => each.shapes).map((each) => each.id);

/** --duration, or --plateau where the shape holds a plateau (steady-1m-day --shape peak): the same length, named for what it is. */
function durationOrPlateau(values: ParsedCommand['values'], incident: Incident | null, shape: string | null): number | null {
  const name = values.plateau !== undefined ? 'plateau' : 'duration';
  if (values.plateau !== undefined && values.duration !== undefined) throw cliErrors.usage('give --plateau or --duration, not both: with a plateau they are the same length');
  if (values.plateau !== undefined) {
    const plateaued = incident?.load(incident.quickScale, incident.defaultDurationMs, shape ?? undefined).plateau;
    if (!incident || !plateaued) throw cliErrors.usage('--plateau is for a load shape with a plateau (steady-1m-day --shape peak); elsewhere use --duration');
  }
  if (values[name] === undefined) return null;
  const ms = durationFlag(values, name, 0);
  if (ms < 1_000) throw cliErrors.usage(`--${name} must be at least 1s, not "${stringFlag(values, name)}"`);
  return ms;
}

/** Turns `gameday run` arguments into a request; every bad value is a usage error naming its flag. */
export function runRequestFromArgs(parsed: ParsedCommand, config: CliConfig): RunRequest {
  const { values, positionals } = parsed;
  const [name, ...extra] = positionals;
  if (name === undefined) throw cliErrors.usage('name an incident to run, or all (see `gameday list`)');
  if (extra.length > 0) throw cliErrors.usage(`unexpected argument "${extra[0]}"; run one incident or all`);
  const all = name === 'all';
  const incident = incidents.get(name as Incident['id']);
  if (!all && !incident) throw runCliErrors.unknownIncident(name);
  const naive = (stringFlag(values, 'naive') ?? '').split(',').map((part) => part.trim()).filter(Boolean);
  const profile = choiceFlag(values, 'profile', ['hardened', 'naive'] as const, naive.length > 0 ? 'naive' : 'hardened');
  if (profile === 'hardened' && naive.length > 0) throw cliErrors.usage('--naive switches bugs back on; it goes with --profile naive (or alone), not --profile hardened');
  const shape = shapeFlag(values, all ? null : (incident as Incident));
  const durationMs = durationOrPlateau(values, all ? null : (incident as Incident), shape);
  const runId = newRunId();
  const target = targetFlag(values);
  const skipFaults = values['skip-faults'] === true;
  const chosen = all ? [...incidents.values()] : [incident as Incident];
  const needsOwnStack = (each: Incident) => target !== null && !skipFaults && faultsOf(each).length > 0;
  if (!all && needsOwnStack(chosen[0] as Incident)) throw runCliErrors.faultsNeedOwnStack(chosen[0] as Incident);
  return {
    incidents: chosen.filter((each) => !needsOwnStack(each)),
    leftOut: chosen.filter(needsOwnStack).map((each) => ({
      incident: each, reason: `its faults (${faultsOf(each).join(', ')}) need the stack gameday starts; --skip-faults runs its load anyway`,
    })),
    all,
    engine: choiceFlag(values, 'engine', ['builtin', 'k6'] as const, 'builtin'),
    scale: values.scale === undefined ? null : numberFlag(values, 'scale', 1, { min: 0.0001, max: 100 }),
    durationMs,
    shape,
    suite: choiceFlag(values, 'suite', suites, 'quick'),
    profile,
    naive,
    target,
    skipFaults,
    outDir: resolve(stringFlag(values, 'out') ?? join(config.repoRoot, 'reports', 'runs', runId)),
    runId,
    seed: numberFlag(values, 'seed', 1, { min: 0, max: 2 ** 31 - 1, integer: true }),
    json: values.json === true,
  };
}
