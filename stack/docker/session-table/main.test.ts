import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTableCommand, DescribeTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inheritedEnv } from '../../../test/config.js';
import { localDynamoClient, type RunningDynamoDb, startDynamoDb } from '../../dynamodb.js';
import { tsxProgramArgs } from '../../tsx-program.js';

const program = new URL('./main.ts', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'gameday-session-table-'));
let dynamo: RunningDynamoDb | undefined;
let client: DynamoDBClient;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dynamo = await startDynamoDb({ dir });
  client = localDynamoClient(dynamo.endpoint);
});

afterEach(async () => {
  await Promise.all(children.splice(0).map(async (child) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'close');
  }));
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function start(args: string[], env: Record<string, string>): { child: ChildProcess; result: Promise<{ code: number | null; output: string }> } {
  const child = spawn(process.execPath, tsxProgramArgs(program, ...args), { env: { ...inheritedEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  return { child, result: once(child, 'close').then(([code]) => ({ code: code as number | null, output })) };
}

const run = (args: string[], env: Record<string, string>) => start(args, env).result;

describe('the session-table program (compose\'s session-table and ttl-sweeper)', () => {
  it('create makes the session table with GSI1 and TTL on, exits 0, and does it again without complaint', async () => {
    const env = { DYNAMODB_ENDPOINT: dynamo?.endpoint as string, DYNAMODB_TABLE: 'created-by-compose' };
    for (let round = 0; round < 2; round += 1) {
      const result = await run(['create'], env);
      expect(result.code, result.output).toBe(0);
    }
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'created-by-compose' }));
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(['GSI1']);
    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: 'created-by-compose' }));
    expect(TimeToLiveDescription?.AttributeName).toBe('ttl');
  });

  it('sweep deletes expired items until SIGTERM, keeps live ones, and exits 0', async () => {
    const table = 'swept-by-compose';
    const documents = DynamoDBDocumentClient.from(client);
    const sweeping = start(['sweep'], { DYNAMODB_ENDPOINT: dynamo?.endpoint as string, DYNAMODB_TABLE: table, GAMEDAY_TTL_SWEEP_INTERVAL_MS: '200' });
    const now = Math.floor(Date.now() / 1000);
    const expired = { PK: 'SESSION#expired', SK: 'META' };
    const live = { PK: 'SESSION#live', SK: 'META' };
    // The program creates the table first; put once it is there.
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await documents.send(new PutCommand({ TableName: table, Item: { ...expired, ttl: now - 3_600 } }));
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(200);
      }
    }
    await documents.send(new PutCommand({ TableName: table, Item: { ...live, ttl: now + 3_600 } }));
    const present = async (key: typeof live) => (await documents.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item !== undefined;
    while (await present(expired)) {
      expect(Date.now(), 'the expired item was not swept within 60 s').toBeLessThan(deadline);
      await sleep(200);
    }
    expect(await present(live)).toBe(true);
    sweeping.child.kill('SIGTERM');
    const result = await sweeping.result;
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('sweeper stopping');
  }, 120_000);

  it('refuses a missing endpoint or mode with a one-line reason and exit 1', async () => {
    const noEndpoint = await run(['create'], { DYNAMODB_ENDPOINT: '' });
    expect(noEndpoint.code).toBe(1);
    expect(noEndpoint.output).toContain('session-table: DYNAMODB_ENDPOINT must be DynamoDB Local\'s URL such as http://dynamodb:8000, not ""');
    const noMode = await run([], { DYNAMODB_ENDPOINT: 'http://127.0.0.1:1' });
    expect(noMode.code).toBe(1);
    expect(noMode.output).toContain('expected one argument, create or sweep');
  });
});
