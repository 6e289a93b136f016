import { sessionTable } from '../../session-table.js';

/**
 * The session-table program's settings (docker-compose.yml runs it once to create the table,
 * and again to sweep expired items): the mode as its one argument, the rest from the same
 * variables the service reads for its table, so one compose block can serve both.
 */
export interface SessionTableConfig {
  mode: 'create' | 'sweep';
  endpoint: string;
  table: string;
  sweepIntervalMs: number;
  logLevel: string;
}

/** A bad setting: the program prints the message (one line) and exits 1. */
export class ConfigError extends Error {}

export const usage = 'Usage: node --import tsx stack/docker/session-table/main.ts create|sweep\n'
  + '  create  creates the session table (GSI1, TTL) if it is missing, then exits\n'
  + '  sweep   creates it if missing, then deletes expired items every GAMEDAY_TTL_SWEEP_INTERVAL_MS until stopped\n'
  + 'Environment: DYNAMODB_ENDPOINT (required), DYNAMODB_TABLE, GAMEDAY_TTL_SWEEP_INTERVAL_MS (default 30000), LOG_LEVEL.';

const modes = ['create', 'sweep'] as const;
const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadSessionTableConfig(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): SessionTableConfig {
  const [mode, ...extra] = argv;
  if (!(modes as readonly (string | undefined)[]).includes(mode) || extra.length > 0) {
    throw new ConfigError(`expected one argument, create or sweep, not "${argv.join(' ')}"\n${usage}`);
  }
  const endpoint = env.DYNAMODB_ENDPOINT ?? '';
  if (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol)) {
    throw new ConfigError(`DYNAMODB_ENDPOINT must be DynamoDB Local's URL such as http://dynamodb:8000, not "${endpoint}"`);
  }
  const rawInterval = env.GAMEDAY_TTL_SWEEP_INTERVAL_MS || '30000';
  const sweepIntervalMs = Number(rawInterval);
  if (!/^\d+$/.test(rawInterval) || sweepIntervalMs < 100 || sweepIntervalMs > 86_400_000) {
    throw new ConfigError(`GAMEDAY_TTL_SWEEP_INTERVAL_MS must be a whole number from 100 to 86400000, not "${rawInterval}"`);
  }
  const logLevel = env.LOG_LEVEL || 'info';
  if (!logLevels.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${logLevels.join(', ')}, not "${logLevel}"`);
  return Object.freeze({ mode: mode as SessionTableConfig['mode'], endpoint, table: env.DYNAMODB_TABLE || sessionTable.name, sweepIntervalMs, logLevel });
}
