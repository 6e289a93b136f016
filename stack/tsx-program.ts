import { fileURLToPath } from 'node:url';

// An absolute loader URL, so a child finds tsx whatever its working directory is.
const tsxLoader = import.meta.resolve('tsx');

/** The node arguments that run one of our TypeScript programs (Node 20 has no type stripping). */
export function tsxProgramArgs(program: URL, ...args: string[]): string[] {
  return ['--import', tsxLoader, fileURLToPath(program), ...args];
}
