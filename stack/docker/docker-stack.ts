import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GenericContainer, Network, type StartedNetwork, Wait } from 'testcontainers';
import { localDynamoClient } from '../dynamodb.js';
import { StackError } from '../errors.js';
import { waitUntilReady } from '../managed-process.js';
import { operatorTokenPath, writeOperatorToken } from '../operator-token.js';
import { createSessionTable } from '../session-table.js';
import type { RunningStack, StackOptions, StackServiceOptions } from '../stack.js';
import type { StackEndpoints } from '../stack-state.js';
import { startTtlSweeper, type TtlSweeper } from '../ttl-sweeper.js';
import { type ContainerPart, startContainerPart } from './container-part.js';
import { dockerErrors } from './engine-check.js';
import {
  bedrockEnvironment, type BuiltImage, builtImages, containerHosts, containerPorts, dynamoDbLocalCommand, proxyListenPorts,
  pulledImages, redisCommand, serviceEnvironment, toxiproxyCommand, toxiproxyConfigPath, toxiproxyProxies, viaToxiproxy,
} from './topology.js';

/** What the supervisor needs of a stack; the containers' stack cannot restart single parts (gameday run starts its own). */
export type SupervisedStack = Pick<RunningStack, 'endpoints' | 'processes' | 'firstExit' | 'stop'>;

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
// The fleet drains for up to 30 s (service/config.ts); the rest stop at once when asked.
const serviceStopGraceMs = 35_000;
const partStopGraceMs = 5_000;
const serviceStartTimeoutMs = 120_000;

async function buildImage(image: BuiltImage): Promise<GenericContainer> {
  try {
    return await GenericContainer.fromDockerfile(repoRoot, image.dockerfile).build(image.tag, { deleteOnExit: false });
  } catch (error) {
    throw dockerErrors.imageBuildFailed(image.tag, image.dockerfile, error instanceof Error ? error.message : String(error));
  }
}

const port = (container: number, host: number | undefined) => (host ? { container, host } : container);

function redisDefinition(network: StartedNetwork, options: StackOptions['redis']): GenericContainer {
  return new GenericContainer(pulledImages.redis)
    .withNetwork(network).withNetworkAliases(containerHosts.redis)
    .withCommand(redisCommand(options.maxmemory, options.maxmemoryPolicy))
    .withExposedPorts(port(containerPorts.redis, options.port))
    .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/));
}

function dynamoDbDefinition(network: StartedNetwork, options: StackOptions['dynamodb']): GenericContainer {
  return new GenericContainer(pulledImages.dynamodb)
    .withNetwork(network).withNetworkAliases(containerHosts.dynamodb)
    .withCommand(dynamoDbLocalCommand)
    .withExposedPorts(port(containerPorts.dynamodb, options.port))
    // Its log says little about readiness; the host-side ListTables probe below decides.
    .withWaitStrategy(Wait.forLogMessage(/Port:\s+\d+/));
}

function toxiproxyDefinition(network: StartedNetwork, apiPort: number | undefined): GenericContainer {
  return new GenericContainer(pulledImages.toxiproxy)
    .withNetwork(network).withNetworkAliases(containerHosts.toxiproxy)
    .withCommand(toxiproxyCommand)
    .withCopyContentToContainer([{ content: `${JSON.stringify(toxiproxyProxies(), null, 2)}\n`, target: toxiproxyConfigPath }])
    .withExposedPorts(port(containerPorts.toxiproxy, apiPort), proxyListenPorts.carrier)
    // The image has no shell, so the wait asks its API from this side.
    .withWaitStrategy(Wait.forHttp('/version', containerPorts.toxiproxy, { abortOnContainerExit: true }));
}

function bedrockDefinition(image: GenericContainer, network: StartedNetwork, options: StackOptions['bedrock']): GenericContainer {
  return image
    .withNetwork(network).withNetworkAliases(containerHosts.bedrock)
    .withEnvironment(bedrockEnvironment(options))
    .withExposedPorts(port(containerPorts.bedrock, options.port))
    .withWaitStrategy(Wait.forHttp('/_admin/health', containerPorts.bedrock, { abortOnContainerExit: true }));
}

function serviceDefinition(
  image: GenericContainer, network: StartedNetwork, service: StackServiceOptions, settings: { table: string; operatorToken: string },
): GenericContainer {
  return image
    .withNetwork(network).withNetworkAliases(containerHosts.service)
    .withEnvironment(serviceEnvironment({ ...service, ...settings, extra: service.env }))
    .withExposedPorts(port(containerPorts.service, service.port))
    .withWaitStrategy(Wait.forHttp('/readyz', containerPorts.service, { abortOnContainerExit: true }))
    .withStartupTimeout(serviceStartTimeoutMs);
}

/** Resolves every start; if any fails, stops the ones that started and throws the first failure. */
async function startAll(starts: Array<Promise<ContainerPart>>, started: ContainerPart[]): Promise<ContainerPart[]> {
  const results = await Promise.allSettled(starts.map((start) => start.then((part) => {
    started.push(part);
    return part;
  })));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((result) => (result as PromiseFulfilledResult<ContainerPart>).value);
}

/**
 * The stack of `gameday stack up --docker`: the same parts as startStack, as the images
 * docker-compose.yml runs (Redis, DynamoDB Local, the real Toxiproxy, our emulator and
 * service images built from this repository), on one network under the compose names, with
 * ports published on this machine. The session table and the TTL sweeper run from here, as
 * without Docker. A failed start removes whatever it had started.
 */
export async function startDockerStack(options: StackOptions): Promise<SupervisedStack> {
  if ('url' in options.toxiproxy) {
    throw new StackError('GAMEDAY_ERR_DOCKER_TOXIPROXY', '--docker runs its own Toxiproxy container; leave out --toxiproxy URL');
  }
  mkdirSync(options.dir, { recursive: true });
  const operatorTokenFile = operatorTokenPath(options.dir);
  const operatorToken = writeOperatorToken(operatorTokenFile);
  const started: ContainerPart[] = [];
  const network = await new Network().start();
  const stopAll = async () => {
    await Promise.allSettled(started.map((part) => part.stop()));
    await network.stop().catch(() => undefined);
  };
  // Builds run while the pulled images start; a build that fails after another start failed is already accounted for.
  const serviceImage = options.service ? buildImage(builtImages.service) : null;
  serviceImage?.catch(() => undefined);

  const start = (name: string, definition: Promise<GenericContainer> | GenericContainer, graceMs = partStopGraceMs) =>
    Promise.resolve(definition).then((ready) => startContainerPart(name, ready, options.dir, graceMs));
  let client: ReturnType<typeof localDynamoClient> | null = null;
  let sweeper: TtlSweeper | null = null;
  try {
    const [redis, dynamodb, bedrock, toxiproxy] = await startAll([
      start('redis', redisDefinition(network, options.redis)),
      start('dynamodb', dynamoDbDefinition(network, options.dynamodb)),
      start('bedrock', buildImage(builtImages.bedrock).then((image) => bedrockDefinition(image, network, options.bedrock))),
      start('toxiproxy', toxiproxyDefinition(network, options.toxiproxy.port)),
    ], started) as [ContainerPart, ContainerPart, ContainerPart, ContainerPart];

    const dynamoEndpoint = `http://${dynamodb.published(containerPorts.dynamodb)}`;
    const dynamo = localDynamoClient(dynamoEndpoint);
    client = dynamo;
    await waitUntilReady({
      what: 'DynamoDB Local (container)', timeoutMs: 60_000, intervalMs: 250,
      probe: () => dynamo.send(new ListTablesCommand({ Limit: 1 })),
    });
    await createSessionTable(dynamo, options.dynamodb.table);
    const running = startTtlSweeper({
      client: dynamo,
      table: options.dynamodb.table,
      intervalMs: options.dynamodb.sweepIntervalMs,
      lagMs: options.dynamodb.sweepLagMs,
      logger: options.logger,
      onSweep: (_deleted, stats) => options.onSweep?.(stats),
    });
    sweeper = running;

    let service: ContainerPart | null = null;
    if (options.service && serviceImage) {
      const definition = serviceDefinition(await serviceImage, network, options.service, { table: options.dynamodb.table, operatorToken });
      service = (await startAll([start('service', definition, serviceStopGraceMs)], started))[0] as ContainerPart;
    }

    const bedrockEndpoint = `http://${bedrock.published(containerPorts.bedrock)}`;
    const serviceHttp = service ? `http://${service.published(containerPorts.service)}` : null;
    const endpoints: StackEndpoints = {
      redis: { url: `redis://${redis.published(containerPorts.redis)}`, maxmemory: options.redis.maxmemory, maxmemoryPolicy: options.redis.maxmemoryPolicy },
      dynamodb: { endpoint: dynamoEndpoint, table: options.dynamodb.table, region: 'us-east-1' },
      bedrock: { endpoint: bedrockEndpoint, admin: `${bedrockEndpoint}/_admin` },
      toxiproxy: {
        api: `http://${toxiproxy.published(containerPorts.toxiproxy)}`,
        external: false,
        // Only the carrier is published here; the others are reached by name inside the network.
        proxies: {
          redis: { listen: viaToxiproxy('redis'), upstream: `${containerHosts.redis}:${containerPorts.redis}` },
          dynamodb: { listen: viaToxiproxy('dynamodb'), upstream: `${containerHosts.dynamodb}:${containerPorts.dynamodb}` },
          bedrock: { listen: viaToxiproxy('bedrock'), upstream: `${containerHosts.bedrock}:${containerPorts.bedrock}` },
          ...(service ? { carrier: { listen: toxiproxy.published(proxyListenPorts.carrier), upstream: `${containerHosts.service}:${containerPorts.service}` } } : {}),
        },
      },
      ...(service && serviceHttp && options.service ? {
        service: {
          http: serviceHttp,
          ws: `${serviceHttp.replace(/^http/, 'ws')}/v1/ws`,
          // Never written: the fleet's worker pids live in the container's pid namespace, and a
          // pid read from there would make `gameday chaos task-kill` signal a process of this machine.
          statusFile: join(options.dir, 'fleet-in-container.json'),
          operatorTokenFile,
          profile: options.service.profile,
          naive: options.service.naive,
          workers: options.service.workers,
        },
      } : {}),
    };
    return {
      endpoints,
      // Containers have no process of this machine that `stack down` may signal; stop() removes them.
      processes: [],
      firstExit: Promise.race(started.map((part) => part.exited.then(() => part.name))),
      async stop() {
        // The service first: its drain still writes turns to Redis and DynamoDB.
        await service?.stop();
        await running.stop();
        dynamo.destroy();
        await stopAll();
        rmSync(operatorTokenFile, { force: true });
      },
    };
  } catch (error) {
    await sweeper?.stop();
    client?.destroy();
    await stopAll();
    throw error;
  }
}
