import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** bench/'s one reader of the environment: where a real Toxiproxy is, and what children inherit. */

/** A real toxiproxy-server to compare against, or why there is none. */
export type RealToxiproxyLookup = { path: string; foundBy: string } | { path: null; reason: string };

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function findRealToxiproxy(): RealToxiproxyLookup {
  const given = process.env.GAMEDAY_TOXIPROXY_SERVER;
  if (given) {
    return isExecutableFile(given)
      ? { path: given, foundBy: 'GAMEDAY_TOXIPROXY_SERVER' }
      : { path: null, reason: `GAMEDAY_TOXIPROXY_SERVER=${given} is not an executable file` };
  }
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = folder ? join(folder, 'toxiproxy-server') : '';
    if (candidate && isExecutableFile(candidate)) return { path: candidate, foundBy: 'PATH' };
  }
  return { path: null, reason: 'GAMEDAY_TOXIPROXY_SERVER is not set and there is no toxiproxy-server on PATH' };
}

export const benchConfig = Object.freeze({
  realToxiproxy: findRealToxiproxy(),
  // The real server logs every request and connection at its default level; ours runs at warn too.
  realToxiproxyEnv: Object.freeze({ ...process.env, LOG_LEVEL: 'warn' }) as NodeJS.ProcessEnv,
});
