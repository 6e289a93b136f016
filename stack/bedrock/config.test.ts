import { describe, expect, it } from 'vitest';
import { type BedrockConfig, ConfigError, loadConfig, usage } from './config.js';

function load(argv: string[], env: NodeJS.ProcessEnv = {}): BedrockConfig {
  const config = loadConfig(argv, env);
  if (config === 'help') throw new Error('expected settings, got help');
  return config;
}

function problem(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    loadConfig(argv, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('the settings were accepted');
}

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    const config = load([]);
    expect(config).toMatchObject({ host: '127.0.0.1', port: 0, seed: 1, timeScale: 1, targetOutputTokens: 300, logLevel: 'info' });
    expect(config.quotas.sonnet).toEqual({ requestsPerMinute: 10_000, tokensPerMinute: 10_000_000 });
  });

  it('reads flags, in both --name value and --name=value forms', () => {
    const config = load(['--port', '4100', '--seed=7', '--time-scale', '0.05', '--output-tokens', '120',
      '--rpm-sonnet', '60', '--tpm-haiku=5000', '--host', '127.0.0.2']);
    expect(config).toMatchObject({ port: 4100, seed: 7, timeScale: 0.05, targetOutputTokens: 120, host: '127.0.0.2' });
    expect(config.quotas.sonnet).toEqual({ requestsPerMinute: 60, tokensPerMinute: 10_000_000 });
    expect(config.quotas.haiku).toEqual({ requestsPerMinute: 10_000, tokensPerMinute: 5_000 });
  });

  it('reads GAMEDAY_BEDROCK_* variables, and flags win over them', () => {
    const env = { GAMEDAY_BEDROCK_PORT: '4200', GAMEDAY_BEDROCK_TIME_SCALE: '0.5', GAMEDAY_BEDROCK_RPM_HAIKU: '9' };
    const config = load(['--port', '4300'], env);
    expect(config).toMatchObject({ port: 4300, timeScale: 0.5 });
    expect(config.quotas.haiku.requestsPerMinute).toBe(9);
  });

  it.each([
    [['--port', '70000'], '--port must be an integer from 0 to 65535 (got "70000")'],
    [['--time-scale', 'fast'], '--time-scale must be a number greater than 0 and at most 1000 (got "fast")'],
    [['--time-scale', '0'], '--time-scale must be a number greater than 0'],
    [['--output-tokens', '1.5'], '--output-tokens must be an integer from 1 to 4096'],
    [['--rpm-sonnet', '-1'], '--rpm-sonnet must be an integer from 0'],
    [['--log-level', 'loud'], '--log-level must be one of'],
    [['--prot', '1'], 'unknown option "--prot"'],
    [['--port'], '--port needs a value'],
  ])('names the flag and what is allowed: %j', (argv, message) => {
    expect(problem(argv)).toContain(message);
  });

  it('names the variable when the environment holds a bad value', () => {
    expect(problem([], { GAMEDAY_BEDROCK_SEED: 'abc' })).toBe('GAMEDAY_BEDROCK_SEED must be an integer from 0 to 4294967295 (got "abc")');
  });

  it('answers --help with the usage, which lists every flag', () => {
    expect(loadConfig(['--port', '1', '--help'], {})).toBe('help');
    for (const flag of ['--port', '--host', '--seed', '--time-scale', '--output-tokens', '--rpm-sonnet', '--tpm-sonnet', '--rpm-haiku', '--tpm-haiku']) {
      expect(usage).toContain(flag);
    }
  });
});
