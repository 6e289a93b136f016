/** The proxy program's settings, from GAMEDAY_TOXIPROXY_* and LOG_LEVEL; frozen, checked at start. */
export interface ToxiproxyConfig {
  host: string;
  port: number;
  seed: number;
  logLevel: string;
}

/** A bad setting: the program prints the message (one line) and exits 1. */
export class ConfigError extends Error {}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<ToxiproxyConfig> {
  const host = env.GAMEDAY_TOXIPROXY_HOST?.trim() || '127.0.0.1';
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!logLevels.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${logLevels.join(', ')} (got "${logLevel}")`);
  return Object.freeze({
    host,
    // Toxiproxy's own default port, so clients configured for a real one find ours.
    port: integer(env, 'GAMEDAY_TOXIPROXY_PORT', 8474, 0, 65_535),
    seed: integer(env, 'GAMEDAY_TOXIPROXY_SEED', 1, 0, 2 ** 32 - 1),
    logLevel,
  });
}
