import { randomBytes } from 'node:crypto';
import { choiceFlag, durationFlag, type FlagSpec, memorySizeFlag, numberFlag, type ParsedCommand, portFlag, stringFlag } from './args.js';
import type { CliConfig } from './config.js';
import { cliErrors } from './errors.js';
import type { StackOptions } from '../stack/stack.js';
import { redisEvictionPolicies } from '../stack/redis-config.js';
import { serviceProfiles } from '../stack/service-process.js';
import { sessionTable } from '../stack/session-table.js';

export const stackUpFlags: FlagSpec = {
  json: { type: 'boolean' },
  foreground: { type: 'boolean' },
  'redis-port': { type: 'string' },
  'dynamodb-port': { type: 'string' },
  'bedrock-port': { type: 'string' },
  'redis-maxmemory': { type: 'string' },
  'redis-policy': { type: 'string' },
  seed: { type: 'string' },
  'time-scale': { type: 'string' },
  'ttl-sweep-interval': { type: 'string' },
  workers: { type: 'string' },
  profile: { type: 'string' },
  naive: { type: 'string' },
  'service-port': { type: 'string' },
  'no-service': { type: 'boolean' },
  toxiproxy: { type: 'string' },
  'toxiproxy-port': { type: 'string' },
  docker: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

function toxiproxyFlags(values: ParsedCommand['values'], seed: number): StackOptions['toxiproxy'] {
  const url = stringFlag(values, 'toxiproxy');
  if (url === undefined) return { port: portFlag(values, 'toxiproxy-port'), seed };
  if (values['toxiproxy-port'] !== undefined) throw cliErrors.usage('--toxiproxy-port is for our proxy; with --toxiproxy URL the port is in the URL');
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw cliErrors.usage(`--toxiproxy must be the URL of a Toxiproxy HTTP API such as http://127.0.0.1:8474, not "${url}"`);
  }
  return { url: url.replace(/\/+$/, '') };
}

/** `docker`: the same parts as containers (stack/docker) instead of local processes. */
export type StackStartOptions = Omit<StackOptions, 'dir' | 'logger' | 'onSweep'> & { docker: boolean };

/** Turns `stack up` flags into stack options; every bad value is a usage error naming the flag. */
export function stackOptionsFromFlags(values: ParsedCommand['values'], config: CliConfig): StackStartOptions {
  const seed = numberFlag(values, 'seed', 1, { min: 0, max: 2 ** 31 - 1, integer: true });
  const docker = values.docker === true;
  if (docker && values.toxiproxy !== undefined) throw cliErrors.usage('--docker runs its own Toxiproxy container; leave out --toxiproxy URL');
  return {
    docker,
    redis: {
      port: portFlag(values, 'redis-port'),
      maxmemory: memorySizeFlag(values, 'redis-maxmemory', '256mb'),
      maxmemoryPolicy: choiceFlag(values, 'redis-policy', redisEvictionPolicies, 'volatile-lru'),
      command: config.redisCommand,
    },
    dynamodb: {
      port: portFlag(values, 'dynamodb-port'),
      javaCommand: config.javaCommand,
      table: sessionTable.name,
      sweepIntervalMs: durationFlag(values, 'ttl-sweep-interval', 30_000),
      sweepLagMs: 5_000,
    },
    bedrock: {
      port: portFlag(values, 'bedrock-port'),
      seed,
      timeScale: numberFlag(values, 'time-scale', 1, { min: 0.001, max: 100 }),
    },
    service: values['no-service'] ? null : {
      port: portFlag(values, 'service-port'),
      workers: numberFlag(values, 'workers', 2, { min: 1, max: 64, integer: true }),
      profile: choiceFlag(values, 'profile', serviceProfiles, 'hardened'),
      naive: (stringFlag(values, 'naive') ?? '').split(',').map((name) => name.trim()).filter(Boolean),
      signingSecret: randomBytes(24).toString('base64url'),
    },
    toxiproxy: toxiproxyFlags(values, seed),
    childEnv: config.childEnv,
  };
}
