import type { ModelFamily } from './models.js';
import { defaultQuotas, type QuotaSettings } from './quotas.js';

/** The emulator program's settings: flags win over GAMEDAY_BEDROCK_* variables, which win over defaults. */
export interface BedrockConfig {
  host: string;
  port: number;
  seed: number;
  timeScale: number;
  targetOutputTokens: number;
  quotas: QuotaSettings;
  logLevel: string;
}

/** A bad setting: the program prints the message (one line) and exits 1. */
export class ConfigError extends Error {}

interface Setting {
  flag: string;
  value: string;
  help: string;
  apply(config: BedrockConfig, raw: string, name: string): void;
}

function integer(min: number, max: number) {
  return (raw: string, name: string): number => {
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || value < min || value > max) {
      throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
    }
    return value;
  };
}

function positiveNumber(max: number) {
  return (raw: string, name: string): number => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value <= 0 || value > max) {
      throw new ConfigError(`${name} must be a number greater than 0 and at most ${max} (got "${raw}")`);
    }
    return value;
  };
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function quotaSetting(family: ModelFamily, field: 'requestsPerMinute' | 'tokensPerMinute', short: 'rpm' | 'tpm'): Setting {
  return {
    flag: `${short}-${family}`,
    value: 'N',
    help: `${short === 'rpm' ? 'requests' : 'tokens (input + output)'} per minute for ${family} (default ${defaultQuotas[family][field]})`,
    apply: (config, raw, name) => { config.quotas[family][field] = integer(0, 1e12)(raw, name); },
  };
}

const settings: readonly Setting[] = [
  { flag: 'port', value: 'N', help: 'port to listen on, 0 for any free one (default 0)',
    apply: (config, raw, name) => { config.port = integer(0, 65535)(raw, name); } },
  { flag: 'host', value: 'H', help: 'address to listen on (default 127.0.0.1)',
    apply: (config, raw, name) => {
      if (raw.trim() === '') throw new ConfigError(`${name} must be an address such as 127.0.0.1 (got "")`);
      config.host = raw.trim();
    } },
  { flag: 'seed', value: 'N', help: 'seed of every answer and timing; same seed and request order, same run (default 1)',
    apply: (config, raw, name) => { config.seed = integer(0, 2 ** 32 - 1)(raw, name); } },
  { flag: 'time-scale', value: 'F', help: 'multiplies every modelled time, e.g. 0.05 for a 20x faster model (default 1)',
    apply: (config, raw, name) => { config.timeScale = positiveNumber(1_000)(raw, name); } },
  { flag: 'output-tokens', value: 'N', help: 'mean answer length in tokens, jittered per request (default 300)',
    apply: (config, raw, name) => { config.targetOutputTokens = integer(1, 4096)(raw, name); } },
  quotaSetting('sonnet', 'requestsPerMinute', 'rpm'),
  quotaSetting('sonnet', 'tokensPerMinute', 'tpm'),
  quotaSetting('haiku', 'requestsPerMinute', 'rpm'),
  quotaSetting('haiku', 'tokensPerMinute', 'tpm'),
  { flag: 'log-level', value: 'L', help: `one of ${logLevels.join(', ')} (default info)`,
    apply: (config, raw, name) => {
      if (!logLevels.includes(raw)) throw new ConfigError(`${name} must be one of ${logLevels.join(', ')} (got "${raw}")`);
      config.logLevel = raw;
    } },
];

function envName(flag: string): string {
  return `GAMEDAY_BEDROCK_${flag.toUpperCase().replaceAll('-', '_')}`;
}

export const usage = [
  'Usage: node --import tsx stack/bedrock/main.ts [options]',
  '',
  'A Bedrock Runtime emulator for Claude 3 Sonnet and Haiku: h2c and HTTP/1.1 on one port,',
  'admin API under /_admin. Every option can also be set as GAMEDAY_BEDROCK_<NAME> (flags win).',
  '',
  ...settings.map((setting) => `  --${`${setting.flag} ${setting.value}`.padEnd(20)} ${setting.help}`),
  `  ${'--help'.padEnd(22)} print this and exit`,
].join('\n');

function defaults(): BedrockConfig {
  return {
    host: '127.0.0.1', port: 0, seed: 1, timeScale: 1, targetOutputTokens: 300,
    quotas: structuredClone(defaultQuotas) as QuotaSettings, logLevel: 'info',
  };
}

function flagValues(argv: readonly string[]): Map<Setting, string> {
  const values = new Map<Setting, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const [name, inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s, 2) : [undefined, undefined];
    const setting = settings.find((candidate) => candidate.flag === name);
    if (!setting) throw new ConfigError(`unknown option "${arg}"; run with --help to see the options`);
    const value = inline ?? argv[i + 1];
    if (value === undefined) throw new ConfigError(`--${setting.flag} needs a value (${setting.help})`);
    if (inline === undefined) i += 1;
    values.set(setting, value);
  }
  return values;
}

/** The settings, or 'help' when --help was asked for. Throws ConfigError on any bad value. */
export function loadConfig(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): BedrockConfig | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const config = defaults();
  for (const setting of settings) {
    const name = envName(setting.flag);
    const raw = env[name];
    if (raw !== undefined && raw !== '') setting.apply(config, raw, name);
  }
  for (const [setting, raw] of flagValues(argv)) setting.apply(config, raw, `--${setting.flag}`);
  return config;
}
