/**
 * The stack as containers: the images, names, ports and settings that docker-compose.yml and
 * `gameday stack up --docker` share. docker/compose-config.test.ts holds the compose file (and
 * docker/toxiproxy.json) to what is written here, and this to the programs' own config modules.
 */
import { type StackProxyName, stackProxyNames } from '../stack-state.js';

/** Images we build from this repository (context: the repository root). */
export interface BuiltImage {
  tag: string;
  dockerfile: string;
}

export const builtImages = {
  service: { tag: 'gameday/service:dev', dockerfile: 'service/Dockerfile' },
  bedrock: { tag: 'gameday/bedrock-emulator:dev', dockerfile: 'stack/bedrock/Dockerfile' },
  sessionTable: { tag: 'gameday/session-table:dev', dockerfile: 'docker/session-table.Dockerfile' },
} as const satisfies Record<string, BuiltImage>;

/** Images we pull, pinned: Toxiproxy at the version chaos/proxy is held compatible with, DynamoDB Local at the npm jar's release. */
export const pulledImages = {
  redis: 'redis:7.4',
  dynamodb: 'amazon/dynamodb-local:3.3.0',
  toxiproxy: 'ghcr.io/shopify/toxiproxy:2.12.0',
} as const;

/** Host names on the stack's network: compose service names, and network aliases under --docker. */
export const containerHosts = {
  redis: 'redis',
  dynamodb: 'dynamodb',
  bedrock: 'bedrock',
  toxiproxy: 'toxiproxy',
  service: 'service',
} as const;

/** The port each part listens on inside its container. */
export const containerPorts = {
  redis: 6379,
  dynamodb: 8000,
  bedrock: 4010,
  toxiproxy: 8474,
  service: 8080,
} as const;

/** Where each named proxy listens inside the Toxiproxy container. */
export const proxyListenPorts: Readonly<Record<StackProxyName, number>> = {
  carrier: 18080,
  redis: 16379,
  dynamodb: 18000,
  bedrock: 14010,
};

const proxyTargets: Readonly<Record<StackProxyName, 'service' | 'redis' | 'dynamodb' | 'bedrock'>> = {
  carrier: 'service',
  redis: 'redis',
  dynamodb: 'dynamodb',
  bedrock: 'bedrock',
};

export interface ToxiproxyProxyConfig {
  name: StackProxyName;
  listen: string;
  upstream: string;
  enabled: boolean;
}

/** Toxiproxy's populate file (`toxiproxy-server -config`): the proxies `stack up` names, upstreams by host name. */
export function toxiproxyProxies(): ToxiproxyProxyConfig[] {
  return stackProxyNames.map((name) => {
    const target = proxyTargets[name];
    return {
      name,
      listen: `0.0.0.0:${proxyListenPorts[name]}`,
      upstream: `${containerHosts[target]}:${containerPorts[target]}`,
      enabled: true,
    };
  });
}

/** host:port of a proxy as the other containers reach it. */
export function viaToxiproxy(name: StackProxyName): string {
  return `${containerHosts.toxiproxy}:${proxyListenPorts[name]}`;
}

export const toxiproxyCommand = ['-host=0.0.0.0', '-config=/config/toxiproxy.json'];
export const toxiproxyConfigPath = '/config/toxiproxy.json';

/** As stack/dynamodb.ts runs the jar: in memory, one database whatever the credentials, no telemetry. */
export const dynamoDbLocalCommand = ['-jar', 'DynamoDBLocal.jar', '-inMemory', '-sharedDb', '-disableTelemetry'];

/** A cache, never the only copy: nothing persisted, as stack/redis-config.ts writes it. */
export function redisCommand(maxmemory: string, maxmemoryPolicy: string): string[] {
  return ['redis-server', '--maxmemory', maxmemory, '--maxmemory-policy', maxmemoryPolicy, '--save', '', '--appendonly', 'no'];
}

export interface ServiceContainerSettings {
  workers: number;
  profile: string;
  naive: readonly string[];
  signingSecret: string;
  /** Absent (docker-compose.yml): the service refuses every catalog change. */
  operatorToken?: string;
  table: string;
  /** Extra service settings, e.g. an incident's time-compressed GAMEDAY_PING_INTERVAL_MS. */
  extra?: Readonly<Record<string, string>>;
}

/**
 * The service container's environment: every dependency through its proxy, as `stack up`
 * routes it. The AWS SDK needs credentials for an endpoint that is not loopback (the service
 * gives fixed ones only to 127.0.0.1), so placeholders are set; DynamoDB Local and the emulator
 * ignore them. Its host (0.0.0.0) and port (8080) come from service/Dockerfile and config defaults.
 */
export function serviceEnvironment(settings: ServiceContainerSettings): Record<string, string> {
  return {
    GAMEDAY_SERVICE_WORKERS: String(settings.workers),
    GAMEDAY_PROFILE: settings.profile,
    GAMEDAY_NAIVE: settings.naive.join(','),
    REDIS_URL: `redis://${viaToxiproxy('redis')}`,
    DYNAMODB_ENDPOINT: `http://${viaToxiproxy('dynamodb')}`,
    DYNAMODB_TABLE: settings.table,
    BEDROCK_ENDPOINT: `http://${viaToxiproxy('bedrock')}`,
    SESSION_SIGNING_SECRET: settings.signingSecret,
    ...(settings.operatorToken === undefined ? {} : { GAMEDAY_OPERATOR_TOKEN: settings.operatorToken }),
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    ...settings.extra,
  };
}

/** The emulator container's settings beyond its image's host and port (stack/bedrock/config.ts names them). */
export function bedrockEnvironment(settings: { seed: number; timeScale: number }): Record<string, string> {
  return { GAMEDAY_BEDROCK_SEED: String(settings.seed), GAMEDAY_BEDROCK_TIME_SCALE: String(settings.timeScale) };
}
