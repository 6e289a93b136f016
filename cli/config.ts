import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Everything the `gameday` program takes from its environment, read once, validated, frozen. */
export interface CliConfig {
  repoRoot: string;
  /** Where `stack up` keeps its state file and logs (git-ignored). */
  stateDir: string;
  redisCommand: string;
  javaCommand: string;
  /** The environment handed to child processes. */
  childEnv: NodeJS.ProcessEnv;
  ci: boolean;
  color: boolean;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function loadCliConfig(env: NodeJS.ProcessEnv = process.env, isTty = Boolean(process.stdout.isTTY)): CliConfig {
  const childEnv: NodeJS.ProcessEnv = {
    ...env,
    // The AWS SDK warns on every client it builds under Node 20; we pin versions that support it.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? 'true',
  };
  return Object.freeze({
    repoRoot,
    stateDir: resolve(env.GAMEDAY_STATE_DIR || join(repoRoot, '.gameday')),
    redisCommand: env.GAMEDAY_REDIS_SERVER || 'redis-server',
    javaCommand: env.GAMEDAY_JAVA || 'java',
    childEnv: Object.freeze(childEnv),
    ci: env.CI === 'true' || env.CI === '1',
    color: isTty && !env.NO_COLOR && env.TERM !== 'dumb',
  });
}
