import { mkdirSync, rmSync } from 'node:fs';
import type { Logger } from 'pino';
import { startBedrockProcess } from './bedrock-process.js';
import { localDynamoClient, startDynamoDb } from './dynamodb.js';
import type { RunningPart } from './managed-process.js';
import { operatorTokenPath, writeOperatorToken } from './operator-token.js';
import { startRedis } from './redis.js';
import { type ServiceProfile, startServiceProcess } from './service-process.js';
import { createSessionTable } from './session-table.js';
import { type StackEndpoints, type StackProcessRecord, stackProxyNames, type SweeperReport, type ToxiproxyEndpoints } from './stack-state.js';
import {
  checkExternalToxiproxy, removeStackProxies, routeThroughProxies, startToxiproxyProcess, viaProxy,
} from './toxiproxy-process.js';
import { startTtlSweeper } from './ttl-sweeper.js';

export interface StackOptions {
  /** Folder for generated configs and logs of this stack. */
  dir: string;
  redis: { port?: number; maxmemory: string; maxmemoryPolicy: string; command: string };
  dynamodb: { port?: number; javaCommand: string; table: string; sweepIntervalMs: number; sweepLagMs: number };
  bedrock: { port?: number; seed: number; timeScale: number };
  /** The orchestrator fleet; null starts only its dependencies. */
  service: StackServiceOptions | null;
  /** Our Toxiproxy-compatible proxy (port, seed), or a real Toxiproxy the user runs (url). */
  toxiproxy: { port?: number; seed: number } | { url: string };
  /** Environment for child processes (the caller's config module decides it). */
  childEnv?: NodeJS.ProcessEnv;
  logger?: Logger;
  onSweep?: (report: SweeperReport) => void;
}

export interface StackServiceOptions {
  port?: number;
  workers: number;
  profile: ServiceProfile;
  naive: string[];
  signingSecret: string;
  /** Extra service settings over childEnv, e.g. an incident's time-compressed GAMEDAY_PING_INTERVAL_MS. */
  env?: Record<string, string>;
}

export interface RunningStack {
  /** Kept current: restartService updates `service` and the carrier proxy in place. */
  endpoints: StackEndpoints;
  processes: StackProcessRecord[];
  /** Resolves with the name of the first part started by startStack whose process exits on its own. */
  firstExit: Promise<string>;
  /**
   * Stops the fleet and starts it again with these options (another profile, other settings),
   * on the same port when none is given, so the carrier proxy keeps its route; null only stops it.
   */
  restartService(service: StackServiceOptions | null): Promise<StackEndpoints>;
  /** Starts the Bedrock emulator again on its port with these settings (it takes them only at start). */
  restartBedrock(settings: { seed: number; timeScale: number }): Promise<void>;
  stop(): Promise<void>;
}

type Part = RunningPart & { name: string };

/**
 * Starts Redis, DynamoDB Local (with the session table and a TTL sweeper) and the Bedrock
 * emulator side by side. If any part fails, the ones that started are stopped before the
 * error is thrown, so a failed start leaves nothing behind.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  mkdirSync(options.dir, { recursive: true });
  // One token for the stack's life: a restarted fleet keeps it, so the harness reads the file once.
  const operatorTokenFile = operatorTokenPath(options.dir);
  const operatorToken = writeOperatorToken(operatorTokenFile);
  const started: Part[] = [];
  const track = <T extends Part>(part: T): T => { started.push(part); return part; };
  const stopAll = async () => {
    await Promise.allSettled(started.map((part) => part.stop()));
  };

  const results = await Promise.allSettled([
    startRedis({ dir: options.dir, ...options.redis }).then((part) => track({ ...part, name: 'redis' })),
    startDynamoDb({ dir: options.dir, port: options.dynamodb.port, javaCommand: options.dynamodb.javaCommand })
      .then((part) => track({ ...part, name: 'dynamodb' })),
    startBedrockProcess({ dir: options.dir, ...options.bedrock, env: options.childEnv })
      .then((part) => track({ ...part, name: 'bedrock' })),
    'url' in options.toxiproxy
      ? checkExternalToxiproxy(options.toxiproxy.url).then(() => (options.toxiproxy as { url: string }).url)
      : startToxiproxyProcess({ dir: options.dir, ...options.toxiproxy, env: options.childEnv })
        .then((part) => track({ ...part, name: 'toxiproxy' }).api),
  ]);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) {
    await stopAll();
    throw failure.reason;
  }
  const [redis, dynamodb, firstBedrock, toxiproxyApi] = results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as [
    Awaited<ReturnType<typeof startRedis>> & Part,
    Awaited<ReturnType<typeof startDynamoDb>> & Part,
    Awaited<ReturnType<typeof startBedrockProcess>> & Part,
    string,
  ];
  let bedrock = firstBedrock;
  const external = 'url' in options.toxiproxy;
  const forgetProxies = async () => {
    if (external) await removeStackProxies(toxiproxyApi, stackProxyNames);
  };

  const client = localDynamoClient(dynamodb.endpoint);
  let sweeper: ReturnType<typeof startTtlSweeper>;
  let proxies: ToxiproxyEndpoints['proxies'];
  try {
    // The service reaches each dependency through its own proxy, so a fault can sit on any of them.
    proxies = await routeThroughProxies(toxiproxyApi, { redis: redis.url, dynamodb: dynamodb.endpoint, bedrock: bedrock.endpoint });
    await createSessionTable(client, options.dynamodb.table);
    sweeper = startTtlSweeper({
      client,
      table: options.dynamodb.table,
      intervalMs: options.dynamodb.sweepIntervalMs,
      lagMs: options.dynamodb.sweepLagMs,
      logger: options.logger,
      onSweep: (_deleted, stats) => options.onSweep?.(stats),
    });
  } catch (error) {
    client.destroy();
    await forgetProxies();
    await stopAll();
    throw error;
  }
  const proxied = (url: string, name: 'redis' | 'dynamodb' | 'bedrock') => viaProxy(url, proxies[name]?.listen as string);

  const startService = async (serviceOptions: StackServiceOptions) => {
    const running = track({
      ...(await startServiceProcess({
        ...serviceOptions,
        dir: options.dir,
        redisUrl: proxied(redis.url, 'redis'),
        dynamodbEndpoint: proxied(dynamodb.endpoint, 'dynamodb'),
        table: options.dynamodb.table,
        bedrockEndpoint: proxied(bedrock.endpoint, 'bedrock'),
        operatorToken,
        env: { ...options.childEnv, ...serviceOptions.env },
      })),
      name: 'service',
    });
    // The client-facing path: a mobile client behind a carrier NAT talks to the service through it.
    const carrier = proxies.carrier;
    if (carrier?.upstream !== new URL(running.http).host) {
      Object.assign(proxies, await routeThroughProxies(toxiproxyApi, { carrier: running.http }));
    }
    return running;
  };
  const serviceEndpoints = (running: Awaited<ReturnType<typeof startServiceProcess>>, serviceOptions: StackServiceOptions) => ({
    http: running.http, ws: running.ws, statusFile: running.statusFile, operatorTokenFile,
    profile: serviceOptions.profile, naive: serviceOptions.naive, workers: serviceOptions.workers,
  });

  let service: Awaited<ReturnType<typeof startService>> | null = null;
  if (options.service) {
    try {
      service = await startService(options.service);
    } catch (error) {
      await sweeper.stop();
      client.destroy();
      await forgetProxies();
      await stopAll();
      throw error;
    }
  }

  const firstExit = Promise.race(started.map((part) => part.process.exited.then(() => part.name)));
  const endpoints: StackEndpoints = {
    redis: { url: redis.url, maxmemory: options.redis.maxmemory, maxmemoryPolicy: options.redis.maxmemoryPolicy },
    dynamodb: { endpoint: dynamodb.endpoint, table: options.dynamodb.table, region: 'us-east-1' },
    bedrock: { endpoint: bedrock.endpoint, admin: bedrock.admin },
    toxiproxy: { api: toxiproxyApi, external, proxies },
    ...(service && options.service ? { service: serviceEndpoints(service, options.service) } : {}),
  };
  const processes = started.map(({ name, pid, logPath }) => ({ name, pid, logPath }));
  const listProcesses = () => processes.splice(0, processes.length, ...started.map(({ name, pid, logPath }) => ({ name, pid, logPath })));
  return {
    endpoints,
    processes,
    firstExit,
    async restartService(next) {
      const previous = service;
      if (previous) {
        service = null;
        delete endpoints.service;
        await previous.stop();
        started.splice(started.indexOf(previous), 1);
      }
      if (next) {
        service = await startService({ ...next, port: next.port ?? previous?.port });
        endpoints.service = serviceEndpoints(service, next);
      }
      listProcesses();
      return endpoints;
    },
    async restartBedrock(settings) {
      const previous = bedrock;
      await previous.stop();
      started.splice(started.indexOf(previous), 1);
      bedrock = track({
        ...(await startBedrockProcess({ dir: options.dir, ...settings, port: previous.port, env: options.childEnv })),
        name: 'bedrock',
      });
      listProcesses();
    },
    async stop() {
      // The service first: its drain still writes turns to Redis and DynamoDB.
      await service?.stop();
      await sweeper.stop();
      client.destroy();
      await forgetProxies();
      await stopAll();
      rmSync(operatorTokenFile, { force: true });
    },
  };
}
