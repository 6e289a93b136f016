/**
 * What a bench started, stopped in reverse order at its end or on Ctrl-C / SIGTERM (then exit
 * 130), so no child outlives the bench.
 */
export interface Interruptible {
  cleanups: (() => Promise<void>)[];
  interrupted(): boolean;
  cleanUp(): Promise<void>;
  /** Runs the bench's main: an error is printed (exit code 1), and what it started is stopped either way. */
  run(main: () => Promise<void>): Promise<void>;
}

export function onInterrupt(stopping: string): Interruptible {
  const cleanups: (() => Promise<void>)[] = [];
  let interrupted = false;
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      console.error(`\n${signal}: stopping ${stopping}`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  const run = async (main: () => Promise<void>) => {
    try {
      await main();
    } catch (error) {
      if (!interrupted) {
        console.error(error);
        process.exitCode = 1;
      }
    } finally {
      if (!interrupted) await cleanUp();
    }
  };
  return { cleanups, interrupted: () => interrupted, cleanUp, run };
}

/**
 * For a bench's child program: stops it when its parent's stdin to it ends (the bench ended or
 * died) or on SIGTERM/SIGINT, then exits 0.
 */
export function stopWithParent(stop: () => Promise<void>): void {
  let stopping = false;
  const once = async () => {
    if (stopping) return;
    stopping = true;
    await stop();
    process.exit(0);
  };
  process.stdin.on('end', () => void once());
  process.stdin.on('close', () => void once());
  process.stdin.resume();
  process.once('SIGTERM', () => void once());
  process.once('SIGINT', () => void once());
}
