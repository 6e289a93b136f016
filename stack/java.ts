import { execFile } from 'node:child_process';
import { stackErrors } from './errors.js';

export const minimumJavaVersion = 17;

/**
 * The major version in `java -version` output: `openjdk version "17.0.15"` is 17,
 * `openjdk version "21" 2023-09-19` is 21, and the old scheme `java version "1.8.0_392"` is 8.
 */
export function javaMajorVersion(versionOutput: string): number | null {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return null;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

function javaVersionOutput(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // A JVM can take seconds to start on a busy machine; the timeout only guards a hung one.
    execFile(command, ['-version'], { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) reject(error);
      else resolve(`${stderr}${stdout}`);
    });
  });
}

/** Resolves with Java's major version, or throws missingJava saying what was found instead. */
export async function checkJava(command: string): Promise<number> {
  let output: string;
  try {
    output = await javaVersionOutput(command);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const detail = code === 'ENOENT' ? 'was not found' : `failed to run: ${(error as Error).message.split('\n')[0]}`;
    throw stackErrors.missingJava(command, detail);
  }
  const version = javaMajorVersion(output);
  const firstLine = output.trim().split('\n')[0] ?? '';
  if (version === null) throw stackErrors.missingJava(command, `printed no version we understand ("${firstLine}")`);
  if (version < minimumJavaVersion) throw stackErrors.missingJava(command, `is Java ${version} ("${firstLine}")`);
  return version;
}
