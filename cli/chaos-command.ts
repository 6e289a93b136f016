import { durationFlag, parseFlags } from './args.js';
import { chaosErrors, describeOptions, faultFlags, faultOptionValues, faultTargetsFromState } from './chaos-options.js';
import type { CliConfig } from './config.js';
import { cliErrors } from './errors.js';
import { chaosHelp } from './help.js';
import { faultDefinitions, findFaultDefinition } from '../chaos/faults/catalogue.js';
import { type Fault, type FaultDefinition, type FaultObservation, FaultOptionError, FaultRevertError } from '../chaos/faults/fault.js';
import { type FaultEvent, type FaultRun, runFaultFor } from '../chaos/faults/run-fault.js';
import { isAlive, readStackState } from '../stack/stack-state.js';

const defaultDurationMs = 30_000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;

const isNote = (key: string) => key.endsWith('note');

/** The observation as a table; notes are left out, as they print on their own line. */
function observationLines(observation: FaultObservation): string[] {
  const entries = Object.entries(observation).filter(([key]) => !isNote(key));
  const width = Math.max(0, ...entries.map(([key]) => key.length));
  return entries.map(([key, value]) => `    ${key.padEnd(width)}  ${value === null ? '-' : String(value)}`);
}

function notes(observation: FaultObservation | null): string[] {
  return Object.entries(observation ?? {})
    .filter(([key, value]) => isNote(key) && typeof value === 'string')
    .map(([, value]) => `NOTE: ${value as string}`);
}

function list(json: boolean): number {
  if (json) {
    const faults = faultDefinitions.map(({ name, summary, options }) => ({ name, summary, options }));
    process.stdout.write(`${JSON.stringify({ faults }, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(...faultDefinitions.map((definition) => definition.name.length));
  const lines = faultDefinitions.flatMap((definition) => [`  ${definition.name.padEnd(width)}  ${definition.summary}`, ...describeOptions(definition), '']);
  process.stdout.write(`Faults (gameday chaos <fault> [--duration D] [options]):\n\n${lines.join('\n')}`);
  return 0;
}

function faultHelp(definition: FaultDefinition): number {
  process.stdout.write([
    `Usage: gameday chaos ${definition.name} [--duration D] [--json] [options]`,
    '',
    `${definition.summary}.`,
    'Applies the fault to the running stack, holds it for --duration (default 30s) or until Ctrl-C, then reverts it.',
    '',
    'Options:',
    ...describeOptions(definition, '  '),
    '',
  ].join('\n'));
  return 0;
}

function createFault(definition: FaultDefinition, options: Record<string, string | boolean>, config: CliConfig): Fault {
  const state = readStackState(config.stateDir);
  if (!state || !isAlive(state.supervisorPid)) throw cliErrors.stackNotRunning(config.stateDir);
  const targets = faultTargetsFromState(state, definition.name);
  try {
    return definition.create(options, targets);
  } catch (error) {
    if (error instanceof FaultOptionError) throw cliErrors.usage(`--${error.option}: ${error.message}`);
    throw error;
  }
}

/** Prints for people: the result on stdout (stderr under --json), progress on stderr. */
function printer(json: boolean, durationMs: number): (event: FaultEvent) => void {
  const out = (line: string) => (json ? process.stderr : process.stdout).write(`${line}\n`);
  return (event) => {
    switch (event.type) {
      case 'applying':
        out(`applying: ${event.description}`);
        return;
      case 'applied':
        out('applied:');
        for (const line of [...observationLines(event.observation), ...notes(event.observation)]) out(line);
        process.stderr.write(`holding for ${seconds(durationMs)}; Ctrl-C reverts now\n`);
        return;
      case 'apply-failed':
        // The command's error names it once the revert is done.
        return;
      case 'holding':
        process.stderr.write(`  ... ${seconds(event.elapsedMs)} of ${seconds(event.durationMs)}\n`);
        return;
      case 'reverting':
        process.stderr.write(`reverting (${event.reason === 'elapsed' ? 'duration over' : event.reason === 'aborted' ? 'interrupted' : 'apply failed'})...\n`);
        return;
      case 'reverted':
        out('reverted:');
        for (const line of [...observationLines(event.observation), ...notes(event.observation)]) out(line);
    }
  };
}

/** SIGINT/SIGTERM end the hold early; the fault is always reverted before the command exits. */
async function runInterruptibly(fault: Fault, durationMs: number, onEvent: (event: FaultEvent) => void): Promise<FaultRun> {
  const controller = new AbortController();
  const interrupt = () => {
    if (controller.signal.aborted) process.stderr.write('still reverting; the command exits once the fault is reverted\n');
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    return await runFaultFor(fault, {
      durationMs,
      signal: controller.signal,
      onEvent,
      progressEveryMs: Math.min(5_000, Math.max(1_000, durationMs / 3)),
    });
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}

async function inject(definition: FaultDefinition, args: string[], config: CliConfig): Promise<number> {
  const { values, positionals } = parseFlags(args, faultFlags(definition));
  if (values.help) return faultHelp(definition);
  if (positionals.length > 0) throw cliErrors.usage(`unexpected argument "${positionals[0]}" after the fault name; options start with --`);
  const durationMs = durationFlag(values, 'duration', defaultDurationMs);
  const json = values.json === true;
  const fault = createFault(definition, faultOptionValues(definition, values), config);
  let run: FaultRun;
  try {
    run = await runInterruptibly(fault, durationMs, printer(json, durationMs));
  } catch (error) {
    if (error instanceof FaultRevertError) {
      const line = '!'.repeat(72);
      process.stderr.write(`${line}\nREVERT FAILED: ${error.fault}\n${error.leftBroken.map((broken) => `  still broken: ${broken}`).join('\n')}\n${line}\n`);
      throw chaosErrors.revertFailed(error.message);
    }
    throw chaosErrors.applyFailed(fault.description, (error as Error).message);
  }
  if (json) process.stdout.write(`${JSON.stringify({ fault: definition.name, ...run }, null, 2)}\n`);
  else process.stdout.write(`done: held ${seconds(run.heldMs)}${run.aborted ? ' (interrupted)' : ''}, reverted\n`);
  return 0;
}

/** `gameday chaos list` and `gameday chaos <fault> [options]`; returns the exit code. */
export async function chaosCommand(args: string[], config: CliConfig): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(chaosHelp);
      return 0;
    case 'list': {
      const { values } = parseFlags(rest, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
      if (values.help) {
        process.stdout.write(chaosHelp);
        return 0;
      }
      return list(values.json === true);
    }
    default: {
      const definition = findFaultDefinition(action);
      if (!definition) throw chaosErrors.unknownFault(action, faultDefinitions.map((known) => known.name));
      return inject(definition, rest, config);
    }
  }
}
