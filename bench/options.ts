/** A positive number from `--name value` on the command line, or the fallback. */
export function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? fallback : Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

/** Whether `--name` is on the command line. */
export function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

/** A positive number from `--name value`, or undefined when the option is not given. */
export function optionalOption(name: string): number | undefined {
  return process.argv.includes(`--${name}`) ? option(name, Number.NaN) : undefined;
}
