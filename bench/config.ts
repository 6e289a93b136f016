import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** bench/'s one reader of the environment: where real peers (Toxiproxy, k6) and taskset are, and what children inherit. */

/** An executable to compare against or to pin with, or why there is none. */
export type ExecutableLookup = { path: string; foundBy: string } | { path: null; reason: string };

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The file named by `variable` when it is set, else `name` on PATH. */
function findExecutable(name: string, variable: string | null): ExecutableLookup {
  const given = variable === null ? undefined : process.env[variable];
  if (variable !== null && given) {
    return isExecutableFile(given)
      ? { path: given, foundBy: variable }
      : { path: null, reason: `${variable}=${given} is not an executable file` };
  }
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = folder ? join(folder, name) : '';
    if (candidate && isExecutableFile(candidate)) return { path: candidate, foundBy: 'PATH' };
  }
  return { path: null, reason: `${variable === null ? '' : `${variable} is not set and `}there is no ${name} on PATH` };
}

export const benchConfig = Object.freeze({
  realToxiproxy: findExecutable('toxiproxy-server', 'GAMEDAY_TOXIPROXY_SERVER'),
  // The real server logs every request and connection at its default level; ours runs at warn too.
  realToxiproxyEnv: Object.freeze({ ...process.env, LOG_LEVEL: 'warn' }) as NodeJS.ProcessEnv,
  k6: findExecutable('k6', 'GAMEDAY_K6'),
  // k6 reports usage to grafana.com unless told not to; bench traffic stays on 127.0.0.1.
  k6Env: Object.freeze({ ...process.env, K6_NO_USAGE_REPORT: 'true' }) as NodeJS.ProcessEnv,
  taskset: findExecutable('taskset', null),
});
