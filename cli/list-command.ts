import { parseFlags } from './args.js';
import { cliErrors } from './errors.js';
import { listHelp } from './help.js';
import type { Incident } from '../scenarios/incident.js';
import { incidents } from '../scenarios/index.js';
import { suiteSettings } from '../scenarios/run/suite-settings.js';
import { scaleLatencyThresholds } from '../engine/latency-scale.js';
import type { ThresholdSpec } from '../engine/thresholds.js';

const specText = (spec: ThresholdSpec) => (typeof spec === 'string'
  ? spec : `${spec.threshold}${spec.window ? ` every ${spec.window}` : ''}${spec.during ? ` over the plateau` : ''}`);

/** The gate in one line: each metric with its thresholds, and what a latency threshold is judged as at the incident's time scale. */
function gateText(incident: Incident): string {
  const timeScale = incident.stack.timeScale ?? 1;
  const { scaled, unjudged } = scaleLatencyThresholds(incident.thresholds, timeScale);
  const atScale = (metric: string, spec: ThresholdSpec) => {
    const expression = typeof spec === 'string' ? spec : spec.threshold;
    const judged = scaled.find((each) => each.metric === metric && each.real === expression);
    if (judged) return ` (judged ${judged.judged} at time-scale ${timeScale})`;
    return unjudged.some((each) => each.metric === metric && each.expression === expression) ? ` (not judged at time-scale ${timeScale})` : '';
  };
  return Object.entries(incident.thresholds)
    .map(([metric, specs]) => `${metric} ${[...new Set(specs.map((spec) => `${specText(spec)}${atScale(metric, spec)}`))].join(', ')}`).join('; ');
}

/** The seed reference's start: the full text is in --json and the incident file. */
const seedWidth = 40;
const seedText = (seed: string) => `seed ${seed.length > seedWidth ? `${seed.slice(0, seedWidth - 1)}…` : seed}`;

/** What `run --suite nightly` runs the incident at (the leak gate aside, which every nightly run has). */
function nightlyOf(incident: Incident): { scale: number; durationMs: number; shape: string | null } {
  const { scale, durationMs, shape } = suiteSettings(incident, 'nightly');
  return { scale, durationMs, shape: shape ?? null };
}

/** `gameday list [--json]`: every incident on one line (id, title, seed, gate). */
export function listCommand(args: string[]): number {
  const { values, positionals } = parseFlags(args, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    process.stdout.write(listHelp);
    return 0;
  }
  if (positionals.length > 0) throw cliErrors.usage(`gameday list takes no arguments, not "${positionals[0]}"`);
  const all = [...incidents.values()];
  if (values.json) {
    const rows = all.map((incident) => ({
      id: incident.id, title: incident.title, seed: incident.seed, naiveSwitch: incident.naiveSwitch,
      quickScale: incident.quickScale, defaultDurationMs: incident.defaultDurationMs, shapes: incident.shapes ?? null, timeScale: incident.stack.timeScale ?? 1,
      nightly: nightlyOf(incident),
      timeCompression: incident.timeCompression,
      gateThatMatters: incident.gateThatMatters, thresholds: incident.thresholds,
    }));
    process.stdout.write(`${JSON.stringify({ incidents: rows }, null, 2)}\n`);
    return 0;
  }
  const width = (pick: (incident: (typeof all)[number]) => string) => Math.max(...all.map((incident) => pick(incident).length));
  const idWidth = width((incident) => incident.id);
  const titleWidth = width((incident) => incident.title);
  const seedsWidth = width((incident) => seedText(incident.seed));
  const lines = all.map((incident) => [
    incident.id.padEnd(idWidth), incident.title.padEnd(titleWidth), seedText(incident.seed).padEnd(seedsWidth), `gate: ${gateText(incident)}`,
  ].join('  '));
  process.stdout.write(`${lines.join('\n')}\n\nRun one with \`gameday run <id>\`, or every one with \`gameday run all\`.\n`);
  return 0;
}
