import { mkdirSync } from 'node:fs';
import { parseFlags } from './args.js';
import { capacityCliErrors, capacityFlags, capacityRequestFromArgs } from './capacity-options.js';
import { bracketLine, capacityReport, stepLine } from './capacity-print.js';
import type { CliConfig } from './config.js';
import { capacityHelp } from './help.js';
import { createProgress, type Progress } from '../engine/progress.js';
import { writeCapacityReport } from '../reports/capacity-report.js';
import { capacityExitCode } from '../scenarios/run/capacity-judge.js';
import { runCapacity } from '../scenarios/run/run-capacity.js';

/**
 * `gameday capacity [options]`: progress on stderr, the steps and the bracket (or --json) on
 * stdout; 0 a knee found or the top step held, 99 the first step broke, 1 the harness failed or
 * the generator saturated (not evidence).
 */
export async function capacityCommand(args: string[], config: CliConfig): Promise<number> {
  const parsed = parseFlags(args, capacityFlags);
  if (parsed.values.help) {
    process.stdout.write(capacityHelp);
    return 0;
  }
  const request = capacityRequestFromArgs(parsed, config);
  mkdirSync(request.outDir, { recursive: true });
  const say = (line: string) => process.stderr.write(`gameday: ${line}\n`);
  const rates = request.rates;
  say(`capacity ${request.runId}: ${request.incident.id}, steps ${rates[0]}…${rates.at(-1)} msg/s (${rates.length} at most), `
    + `${request.holdMs / 1000} s each; results in ${request.outDir}`);
  if (request.warmupMs < request.sessionMs) {
    say(`NOTE: --warmup ${request.warmupMs / 1000} s is shorter than one session length (${Math.round(request.sessionMs / 1000)} s): the sessions' later turns `
      + 'lag their schedule in the first windows, so achieved reads low there');
  }

  const controller = new AbortController();
  const interrupt = () => {
    if (!controller.signal.aborted) say('interrupted; stopping the load and everything that was started…');
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  let progress: Progress | null = null;
  let label = '';
  const endProgress = () => {
    progress?.done();
    progress = null;
  };
  try {
    const file = await runCapacity({
      ...request, stackSettings: { childEnv: config.childEnv, redisCommand: config.redisCommand, javaCommand: config.javaCommand },
      signal: controller.signal,
      say: (line) => {
        endProgress();
        say(line);
      },
      onStep: (rate, index) => {
        endProgress();
        const warmup = Math.round(request.warmupMs / 100) / 10;
        say(`step ${index + 1} of up to ${rates.length}: ${rate} msg/s offered for ${request.holdMs / 1000} s (the first ${warmup} s are warm-up)`);
        label = `${rate} msg/s`;
      },
      onStepDone: (step) => {
        endProgress();
        say(stepLine(step));
      },
      onProgress: (state) => {
        progress ??= createProgress({ tty: Boolean(process.stderr.isTTY), write: (text) => process.stderr.write(text) });
        progress.update({ ...state, label });
      },
    });
    endProgress();
    if (request.json) process.stdout.write(`${JSON.stringify({ ...file, runDir: request.outDir }, null, 2)}\n`);
    else process.stdout.write(`\n${capacityReport(file, request.outDir)}`);
    try {
      say(`report: ${writeCapacityReport(request.outDir).htmlPath}`);
    } catch (error) {
      say(`the report could not be written (the result stands): ${error instanceof Error ? error.message : String(error)}`);
    }
    const code = capacityExitCode(file.bracket);
    if (file.bracket.outcome === 'generator-bound') {
      const step = file.steps.at(-1);
      throw capacityCliErrors.generatorBound(file.bracket.generatorBound as number, step?.generator.reason ?? 'saturated', file.bracket.held);
    }
    say(code === 0 ? bracketLine(file) : `${bracketLine(file)} (exit 99)`);
    return code;
  } finally {
    endProgress();
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}
