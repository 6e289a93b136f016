import { type FlagSpec, parseFlags } from './args.js';
import type { CliConfig } from './config.js';
import { cliErrors } from './errors.js';
import { stackHelp } from './help.js';
import { stopStack } from './stack-down.js';
import { stackOptionsFromFlags, stackUpFlags } from './stack-options.js';
import { printStatus, statusJson } from './stack-print.js';
import { stackUp } from './stack-up.js';
import { probeStack } from '../stack/probes.js';
import { isAlive, readStackState, readSweeperReport } from '../stack/stack-state.js';

const jsonFlags: FlagSpec = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };

/** `gameday stack up|down|status`; returns the exit code. */
export async function stackCommand(args: string[], config: CliConfig): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'up': {
      const { values } = parseFlags(rest, stackUpFlags);
      if (values.help) return help();
      await stackUp({
        config,
        stack: stackOptionsFromFlags(values, config),
        json: values.json === true,
        foreground: values.foreground === true,
      });
      return 0;
    }
    case 'down': {
      const { values } = parseFlags(rest, jsonFlags);
      if (values.help) return help();
      const report = await stopStack(config.stateDir);
      if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else if (!report.found) process.stderr.write('gameday: no stack is running; nothing to stop\n');
      else {
        const forced = report.killed.length > 0 ? ` (killed leftovers: ${report.killed.join(', ')})` : '';
        process.stderr.write(`gameday: stack stopped${forced}\n`);
      }
      return 0;
    }
    case 'status': {
      const { values } = parseFlags(rest, jsonFlags);
      if (values.help) return help();
      const state = readStackState(config.stateDir);
      if (!state || !isAlive(state.supervisorPid)) {
        if (values.json) process.stdout.write(`${JSON.stringify(statusJson(null, null))}\n`);
        throw cliErrors.stackNotRunning(config.stateDir);
      }
      const health = await probeStack(state.endpoints);
      printStatus(state, health, values.json === true, readSweeperReport(config.stateDir));
      return Object.values(health).every((part) => part.ok) ? 0 : 1;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return help();
    default:
      throw cliErrors.usage(`unknown stack action "${action}"; use up, down or status`);
  }
}

function help(): number {
  process.stdout.write(stackHelp);
  return 0;
}
