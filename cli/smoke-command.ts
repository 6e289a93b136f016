import { type FlagSpec, parseFlags } from './args.js';
import type { CliConfig } from './config.js';
import { cliErrors } from './errors.js';
import { smokeCheck } from '../stack/smoke-check.js';
import { isAlive, readStackState } from '../stack/stack-state.js';

const smokeFlags: FlagSpec = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };

/** `gameday smoke`: a real round trip through each part of the running stack. */
export async function smokeCommand(args: string[], config: CliConfig): Promise<number> {
  const { values } = parseFlags(args, smokeFlags);
  if (values.help) {
    process.stdout.write('Usage: gameday smoke [--json]\nOne real round trip through redis, DynamoDB and the Bedrock emulator of the running stack.\n');
    return 0;
  }
  const state = readStackState(config.stateDir);
  if (!state || !isAlive(state.supervisorPid)) throw cliErrors.stackNotRunning(config.stateDir);
  const results = await smokeCheck(state.endpoints);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ok: results.every((result) => result.ok), results }, null, 2)}\n`);
  } else {
    for (const result of results) {
      process.stdout.write(`  ${result.ok ? 'ok  ' : 'FAIL'} ${result.check.padEnd(24)} ${String(result.ms).padStart(5)} ms  ${result.detail}\n`);
    }
  }
  const failed = results.filter((result) => !result.ok).map((result) => result.check);
  if (failed.length > 0) throw cliErrors.smokeFailed(failed);
  return 0;
}
