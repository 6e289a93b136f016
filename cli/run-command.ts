import { mkdirSync } from 'node:fs';
import { parseFlags } from './args.js';
import type { CliConfig } from './config.js';
import { runHelp } from './help.js';
import { reportAfterRun } from './report-command.js';
import { errorLine, exitCodeOf, resultJson, resultTable } from './run-print.js';
import { runFlags, runRequestFromArgs } from './run-options.js';
import { runSuite } from '../scenarios/run/run-suite.js';
import { createProgress, type Progress } from '../engine/progress.js';

/** `gameday run <incident|all> [options]`: progress on stderr, the table (or --json) on stdout; 0 / 99 / 1. */
export async function runCommand(args: string[], config: CliConfig): Promise<number> {
  const parsed = parseFlags(args, runFlags);
  if (parsed.values.help) {
    process.stdout.write(runHelp);
    return 0;
  }
  const request = runRequestFromArgs(parsed, config);
  mkdirSync(request.outDir, { recursive: true });
  const say = (line: string) => process.stderr.write(`gameday: ${line}\n`);
  const scaleText = request.scale === null ? `each at its ${request.suite} scale` : `scale ${request.scale}`;
  for (const { incident, reason } of request.leftOut) say(`leaving out ${incident.id}: ${reason}`);
  say(`run ${request.runId}: ${request.incidents.map((incident) => incident.id).join(', ')} (${request.profile}, suite ${request.suite}, ${scaleText}, engine ${request.engine}); results in ${request.outDir}`);

  const controller = new AbortController();
  const interrupt = () => {
    if (!controller.signal.aborted) say('interrupted; reverting faults and stopping what was started…');
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  let progress: Progress | null = null;
  let label = '';
  const tty = Boolean(process.stderr.isTTY);
  const endProgress = () => {
    progress?.done();
    progress = null;
  };
  try {
    const entries = await runSuite({
      incidents: request.incidents,
      profile: request.profile,
      naive: request.naive,
      scale: request.scale,
      durationMs: request.durationMs,
      shape: request.shape,
      suite: request.suite,
      seed: request.seed,
      engine: request.engine,
      target: request.target,
      skipFaults: request.skipFaults,
      stackSettings: { childEnv: config.childEnv, redisCommand: config.redisCommand, javaCommand: config.javaCommand },
      outDir: request.outDir,
      signal: controller.signal,
      // A line for people ends the progress line; the next progress update starts a new one.
      say: (line) => {
        endProgress();
        say(line);
      },
      onIncident: (incident, index) => {
        endProgress();
        say(`[${index + 1}/${request.incidents.length}] ${incident.id}: ${incident.title}`);
        label = `${incident.id} (${request.profile})`;
      },
      onProgress: (state) => {
        progress ??= createProgress({ tty, write: (text) => process.stderr.write(text) });
        progress.update({ ...state, label });
      },
    });
    endProgress();
    if (request.json) process.stdout.write(`${JSON.stringify(resultJson(entries, request.outDir), null, 2)}\n`);
    else if (entries.some((entry) => entry.outcome)) process.stdout.write(`\n${resultTable(entries)}\n\nresults: ${request.outDir}\n`);
    for (const entry of entries) if (entry.error) process.stderr.write(`${errorLine(entry)}\n`);
    if (entries.some((entry) => entry.outcome)) reportAfterRun(request.outDir, say);
    const code = exitCodeOf(entries);
    say(code === 0 ? 'every gate held' : code === 99 ? 'a gate failed (exit 99)' : 'the harness failed (exit 1)');
    return code;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}
