import { isDeepStrictEqual } from 'node:util';
import { loadConfig as loadProxyConfig } from '../chaos/proxy/config.js';
import { loadCliConfig } from '../cli/config.js';
import { stackOptionsFromFlags } from '../cli/stack-options.js';
import { loadServiceConfig } from '../service/config.js';
import { loadConfig as loadBedrockConfig } from '../stack/bedrock/config.js';
import { loadSessionTableConfig } from '../stack/docker/session-table/config.js';
import {
  bedrockEnvironment, builtImages, containerHosts, containerPorts, dynamoDbLocalCommand, pulledImages, redisCommand,
  serviceEnvironment, toxiproxyCommand, toxiproxyConfigPath, toxiproxyProxies,
} from '../stack/docker/topology.js';
import { sessionTable } from '../stack/session-table.js';
import { stackProxyNames } from '../stack/stack-state.js';
import type { ComposeService, ComposeServices } from './compose-file.js';
import { finalStage, parseDockerfile } from './dockerfile.js';
import { unreadVariables, variablesRead } from './env-reads.js';

export interface ComposeInput {
  services: ComposeServices;
  /** A repository file's text, or null when there is none. */
  read(path: string): string | null;
  /** Whether a repository path (file or folder) exists. */
  exists(path: string): boolean;
}

/** Variables the AWS SDK reads itself (service/config.ts does not). */
export const awsSdkVariables = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'];

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const show = (value: unknown) => JSON.stringify(value);

function same(problems: string[], what: string, actual: unknown, expected: unknown): void {
  if (!isDeepStrictEqual(actual, expected)) problems.push(`${what}: ${show(actual)}, expected ${show(expected)}`);
}

/** `stack up`'s defaults, so compose starts what `gameday stack up` starts when given no flags. */
export function stackDefaults() {
  return stackOptionsFromFlags({}, loadCliConfig({}, false));
}

function imageEnvironment(input: ComposeInput, dockerfile: string): Record<string, string> {
  const text = input.read(dockerfile);
  return text === null ? {} : finalStage(parseDockerfile(text)).env;
}

function published(problems: string[], name: string, service: ComposeService, targets: readonly number[]): void {
  same(problems, `${name}: container ports published`, service.ports.map((port) => port.target).sort(), [...targets].sort());
  for (const port of service.ports) {
    if (port.hostIp !== '127.0.0.1') problems.push(`${name}: port ${port.target} is published on ${port.hostIp ?? 'every address'}, not 127.0.0.1`);
  }
}

/** The ports in stack/docker/topology.ts are the ones the programs use when told nothing else. */
export function checkTopologyDefaults(input: ComposeInput): string[] {
  const problems: string[] = [];
  const service = loadServiceConfig({ SESSION_SIGNING_SECRET: 'a-secret-of-at-least-16' });
  same(problems, 'service/config.ts default port', service.http.port, containerPorts.service);
  same(problems, 'service/config.ts default REDIS_URL port', Number(new URL(service.redis.url).port), containerPorts.redis);
  same(problems, 'service/config.ts default table', service.dynamodb.table, sessionTable.name);
  same(problems, 'chaos/proxy/config.ts default port (Toxiproxy\'s)', loadProxyConfig({}).port, containerPorts.toxiproxy);
  const bedrock = loadBedrockConfig([], imageEnvironment(input, builtImages.bedrock.dockerfile));
  same(problems, `the port ${builtImages.bedrock.dockerfile} gives the emulator`, bedrock === 'help' ? null : bedrock.port, containerPorts.bedrock);
  return problems;
}

export function checkImages(input: ComposeInput): string[] {
  const problems: string[] = [];
  const built: Record<string, { tag: string; dockerfile: string }> = {
    service: builtImages.service, bedrock: builtImages.bedrock, 'session-table': builtImages.sessionTable, 'ttl-sweeper': builtImages.sessionTable,
  };
  const pulled: Record<string, string> = { redis: pulledImages.redis, dynamodb: pulledImages.dynamodb, toxiproxy: pulledImages.toxiproxy };
  for (const [name, image] of Object.entries(built)) {
    const service = input.services[name];
    if (!service) problems.push(`no compose service "${name}"`);
    else {
      same(problems, `${name}: image`, service.image, image.tag);
      same(problems, `${name}: build`, service.build, { context: '.', dockerfile: image.dockerfile });
      if (input.read(image.dockerfile) === null) problems.push(`${name}: ${image.dockerfile} does not exist`);
    }
  }
  for (const [name, image] of Object.entries(pulled)) same(problems, `${name}: image`, input.services[name]?.image, image);
  return problems;
}

export function checkService(input: ComposeInput): string[] {
  const service = input.services.service;
  if (!service) return ['no compose service "service"'];
  const problems: string[] = [];
  const env = { ...imageEnvironment(input, builtImages.service.dockerfile), ...service.environment };
  let loaded;
  try {
    loaded = variablesRead((e) => loadServiceConfig(e), env);
  } catch (error) {
    return [`service: service/config.ts refuses the container's environment: ${message(error)}`];
  }
  for (const name of unreadVariables(loaded.read, env, awsSdkVariables)) problems.push(`service: ${name} is set, but service/config.ts never reads it`);
  const config = loaded.result;
  same(problems, 'service: listens on', `${config.http.host}:${config.http.port}`, `0.0.0.0:${containerPorts.service}`);
  same(problems, 'service: table', config.dynamodb.table, sessionTable.name);
  same(problems, 'service: environment (as stack up --docker sets it)', service.environment, serviceEnvironment({
    workers: config.workers, profile: config.profile, naive: [], signingSecret: config.signingSecret, table: sessionTable.name,
  }));
  published(problems, 'service', service, [containerPorts.service]);
  return problems;
}

export function checkBedrock(input: ComposeInput): string[] {
  const service = input.services.bedrock;
  if (!service) return ['no compose service "bedrock"'];
  const problems: string[] = [];
  const env = { ...imageEnvironment(input, builtImages.bedrock.dockerfile), ...service.environment };
  try {
    const { result, read } = variablesRead((e) => loadBedrockConfig([], e), env);
    for (const name of unreadVariables(read, env)) problems.push(`bedrock: ${name} is set, but stack/bedrock/config.ts never reads it`);
    same(problems, 'bedrock: listens on', result === 'help' ? null : `${result.host}:${result.port}`, `0.0.0.0:${containerPorts.bedrock}`);
  } catch (error) {
    problems.push(`bedrock: stack/bedrock/config.ts refuses the container's environment: ${message(error)}`);
  }
  const defaults = stackDefaults().bedrock;
  same(problems, 'bedrock: environment (stack up\'s seed and time scale)', service.environment, bedrockEnvironment(defaults));
  published(problems, 'bedrock', service, [containerPorts.bedrock]);
  return problems;
}

export function checkRedisAndDynamoDb(input: ComposeInput): string[] {
  const problems: string[] = [];
  const defaults = stackDefaults();
  const redis = input.services.redis;
  if (!redis) problems.push('no compose service "redis"');
  else {
    same(problems, 'redis: command', redis.command, redisCommand(defaults.redis.maxmemory, defaults.redis.maxmemoryPolicy));
    if (!redis.healthcheck) problems.push('redis: no healthcheck, so service_healthy cannot be waited for');
    published(problems, 'redis', redis, [containerPorts.redis]);
  }
  const dynamodb = input.services.dynamodb;
  if (!dynamodb) problems.push('no compose service "dynamodb"');
  else {
    same(problems, 'dynamodb: command', dynamodb.command, dynamoDbLocalCommand);
    published(problems, 'dynamodb', dynamodb, [containerPorts.dynamodb]);
  }
  for (const [name, mode] of [['session-table', 'create'], ['ttl-sweeper', 'sweep']] as const) {
    const service = input.services[name];
    if (!service) continue;
    try {
      const { result, read } = variablesRead((e) => loadSessionTableConfig(service.command, e), service.environment);
      for (const variable of unreadVariables(read, service.environment)) problems.push(`${name}: ${variable} is set, but its config never reads it`);
      same(problems, `${name}: mode`, result.mode, mode);
      same(problems, `${name}: table`, result.table, sessionTable.name);
      same(problems, `${name}: DynamoDB endpoint`, result.endpoint, `http://${containerHosts.dynamodb}:${containerPorts.dynamodb}`);
    } catch (error) {
      problems.push(`${name}: stack/docker/session-table/config.ts refuses it: ${message(error)}`);
    }
  }
  return problems;
}

export function checkToxiproxy(input: ComposeInput): string[] {
  const service = input.services.toxiproxy;
  if (!service) return ['no compose service "toxiproxy"'];
  const problems: string[] = [];
  same(problems, 'toxiproxy: command', service.command, toxiproxyCommand);
  const mount = service.volumes.find((volume) => volume.target === toxiproxyConfigPath);
  if (!mount) return [...problems, `toxiproxy: nothing mounted at ${toxiproxyConfigPath}`];
  const text = input.read(mount.source.replace(/^\.\//, ''));
  if (text === null) return [...problems, `toxiproxy: ${mount.source} does not exist`];
  const proxies = JSON.parse(text) as Array<{ name: string }>;
  same(problems, `toxiproxy: proxy names in ${mount.source}`, proxies.map((proxy) => proxy.name), [...stackProxyNames]);
  same(problems, `toxiproxy: ${mount.source}`, proxies, toxiproxyProxies());
  const carrier = toxiproxyProxies().find((proxy) => proxy.name === 'carrier');
  published(problems, 'toxiproxy', service, [containerPorts.toxiproxy, Number(carrier?.listen.split(':')[1])]);
  return problems;
}

/** Every `service_healthy` dependency has a health check, in compose or in its image's Dockerfile. */
export function checkHealthDependencies(input: ComposeInput): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(input.services)) {
    for (const [dependency, condition] of Object.entries(service.dependsOn)) {
      const target = input.services[dependency];
      if (!target) {
        problems.push(`${name}: depends on "${dependency}", which is not a service`);
        continue;
      }
      if (condition !== 'service_healthy' || target.healthcheck) continue;
      const dockerfile = target.build ? input.read(target.build.dockerfile) : null;
      if (!dockerfile || !finalStage(parseDockerfile(dockerfile)).healthcheck) {
        problems.push(`${name}: waits for ${dependency} to be healthy, but ${dependency} has no health check`);
      }
    }
  }
  return problems;
}
