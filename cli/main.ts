import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { capacityCommand } from './capacity-command.js';
import { chaosCommand } from './chaos-command.js';
import { type CliConfig, loadCliConfig } from './config.js';
import { CliError, cliErrors } from './errors.js';
import { mainHelp } from './help.js';
import { listCommand } from './list-command.js';
import { reportCommand } from './report-command.js';
import { runCommand } from './run-command.js';
import { smokeCommand } from './smoke-command.js';
import { stackCommand } from './stack-command.js';
import { RunError } from '../scenarios/run/run-errors.js';
import { StackError } from '../stack/errors.js';

function version(config: CliConfig): string {
  const manifest = JSON.parse(readFileSync(join(config.repoRoot, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

async function dispatch(args: string[], config: CliConfig): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'stack':
      return stackCommand(rest, config);
    case 'smoke':
      return smokeCommand(rest, config);
    case 'chaos':
      return chaosCommand(rest, config);
    case 'list':
      return listCommand(rest);
    case 'run':
      return runCommand(rest, config);
    case 'capacity':
      return capacityCommand(rest, config);
    case 'report':
      return reportCommand(rest);
    case '--version':
    case '-v':
      process.stdout.write(`${version(config)}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(mainHelp);
      return 0;
    default:
      throw cliErrors.unknownCommand(command);
  }
}

/** Runs the command; known errors print as `gameday: CODE: message` and exit 1. */
export async function main(args: string[]): Promise<number> {
  const config = loadCliConfig();
  try {
    return await dispatch(args, config);
  } catch (error) {
    if (error instanceof CliError || error instanceof StackError || error instanceof RunError) {
      process.stderr.write(`gameday: ${error.code}: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`gameday: unexpected failure: ${error instanceof Error ? error.stack : String(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
