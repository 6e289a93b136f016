import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The operator token a stack gives its service (GAMEDAY_OPERATOR_TOKEN), so the harness can
 * change the catalog. It lives in a file only its owner can read, never in the state file, a
 * command line or `stack status`: those show its path.
 */
export function operatorTokenPath(dir: string): string {
  return join(dir, 'operator-token');
}

/** A fresh token in a new 0600 file: removed first, since a mode given to an existing file is ignored. */
export function writeOperatorToken(path: string): string {
  const token = randomBytes(32).toString('base64url');
  rmSync(path, { force: true });
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return token;
}
