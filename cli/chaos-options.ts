import type { FlagSpec, ParsedCommand } from './args.js';
import { CliError, cliErrors } from './errors.js';
import type { FaultDefinition, FaultOptionSpec, FaultTargets } from '../chaos/faults/fault.js';
import { readFleetStatus } from '../stack/service-process.js';
import { isAlive, type StackState } from '../stack/stack-state.js';

/** Errors only `gameday chaos` raises (stable codes, messages that say what to do). */
export const chaosErrors = {
  unknownFault: (name: string, known: string[]) =>
    new CliError('GAMEDAY_ERR_UNKNOWN_FAULT', `unknown fault "${name}"; the faults are ${known.join(', ')} (see \`gameday chaos list\`)`),
  noToxiproxy: (fault: string) =>
    new CliError('GAMEDAY_ERR_NO_TOXIPROXY', `the fault "${fault}" works through Toxiproxy, and the running stack has none. Restart it with \`gameday stack down\` and \`gameday stack up\`.`),
  noService: (fault: string) =>
    new CliError('GAMEDAY_ERR_NO_SERVICE', `the fault "${fault}" needs the service's fleet, and the running stack was started with --no-service. Restart it without that flag.`),
  applyFailed: (description: string, message: string) =>
    new CliError('GAMEDAY_ERR_FAULT_APPLY_FAILED', `could not apply "${description}": ${message}. Nothing was left applied (it was reverted).`),
  revertFailed: (message: string) =>
    new CliError('GAMEDAY_ERR_FAULT_REVERT_FAILED', `${message}. Put it right by hand (or restart the stack) before trusting another run.`),
};

/** The parts of the stack a fault reaches beyond redis and the Bedrock emulator, which every stack has. */
const faultNeeds: Record<string, 'toxiproxy' | 'service'> = {
  network: 'toxiproxy',
  'nat-drop': 'toxiproxy',
  'dynamodb-slow': 'toxiproxy',
  'task-kill': 'service',
};

const commandFlags: FlagSpec = {
  duration: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/** `--name` for every option, plus `--no-name` for booleans (Node 20's parseArgs has no negation). */
export function faultFlags(definition: FaultDefinition): FlagSpec {
  const flags: FlagSpec = { ...commandFlags };
  for (const option of definition.options) {
    flags[option.name] = { type: option.kind === 'boolean' ? 'boolean' : 'string' };
    if (option.kind === 'boolean') flags[`no-${option.name}`] = { type: 'boolean' };
  }
  return flags;
}

/** The fault's own options from the parsed flags, as the strings (and booleans) the fault parses. */
export function faultOptionValues(definition: FaultDefinition, values: ParsedCommand['values']): Record<string, string | boolean> {
  const options: Record<string, string | boolean> = {};
  for (const option of definition.options) {
    const value = values[option.name];
    if (value !== undefined) options[option.name] = value;
    if (option.kind === 'boolean' && values[`no-${option.name}`]) {
      if (value) throw cliErrors.usage(`--${option.name} and --no-${option.name} contradict each other`);
      options[option.name] = false;
    }
  }
  return options;
}

/** What the running stack offers a fault; a clear error when the fault needs a part it lacks. */
export function faultTargetsFromState(state: StackState, fault: string): FaultTargets {
  const { toxiproxy, service, redis, bedrock } = state.endpoints;
  const needs = faultNeeds[fault];
  if (needs === 'toxiproxy' && !toxiproxy) throw chaosErrors.noToxiproxy(fault);
  if (needs === 'service' && !service) throw chaosErrors.noService(fault);
  return {
    toxiproxyApi: toxiproxy?.api ?? '',
    proxies: toxiproxy?.proxies ?? {},
    redisUrl: redis.url,
    bedrockAdmin: bedrock.admin,
    listWorkers: async () => (service ? readFleetStatus(service.statusFile)?.workers ?? [] : []).filter(isAlive),
  };
}

// A longer list of choices goes into the description, so the columns stay readable.
const maxInlineChoices = 30;

function inlineChoices(option: FaultOptionSpec): boolean {
  return (option.choices?.join('|').length ?? 0) <= maxInlineChoices;
}

function optionUsage(option: FaultOptionSpec): string {
  const choices = option.kind === 'choice' && inlineChoices(option) ? ` ${option.choices?.join('|')}` : undefined;
  const value = option.kind === 'boolean' ? '' : choices ?? ` <${option.kind}>`;
  const negation = option.kind === 'boolean' ? ` | --no-${option.name}` : '';
  return `--${option.name}${value}${negation}`;
}

/** One line per option: flag, what it does, default. */
export function describeOptions(definition: FaultDefinition, indent = '    '): string[] {
  const usages = definition.options.map(optionUsage);
  const width = Math.max(...usages.map((usage) => usage.length));
  return definition.options.map((option, index) => {
    const fallback = option.default === undefined ? '' : ` (default ${option.default})`;
    const choices = option.kind === 'choice' && !inlineChoices(option) ? `; one of ${option.choices?.join(', ')}` : '';
    return `${indent}${(usages[index] as string).padEnd(width)}  ${option.description}${choices}${fallback}`;
  });
}
