import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localDynamoClient, type RunningDynamoDb, startDynamoDb } from './dynamodb.js';
import { createSessionTable } from './session-table.js';
import { deleteIfStillExpired, type SweeperStats, startTtlSweeper, type TtlSweeper } from './ttl-sweeper.js';

const dir = mkdtempSync(join(tmpdir(), 'gameday-sweeper-'));
let dynamo: RunningDynamoDb | undefined;
let client: DynamoDBClient;
let documents: DynamoDBDocumentClient;
const sweepers: TtlSweeper[] = [];
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynamoDb({ dir });
  client = localDynamoClient(dynamo.endpoint);
  documents = DynamoDBDocumentClient.from(client);
});

afterEach(async () => {
  await Promise.all(sweepers.splice(0).map((sweeper) => sweeper.stop()));
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh session table per test, so counts are exact. */
async function freshTable(): Promise<string> {
  tables += 1;
  const name = `sweeper-test-${tables}`;
  await createSessionTable(client, name);
  return name;
}

function sweeper(options: Omit<Parameters<typeof startTtlSweeper>[0], 'client'>): TtlSweeper {
  const started = startTtlSweeper({ client, ...options });
  sweepers.push(started);
  return started;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

async function put(table: string, id: string, ttl?: number): Promise<{ PK: string; SK: string }> {
  const key = { PK: `SESSION#${id}`, SK: 'META' };
  await documents.send(new PutCommand({ TableName: table, Item: { ...key, ...(ttl === undefined ? {} : { ttl }) } }));
  return key;
}

async function exists(table: string, key: { PK: string; SK: string }): Promise<boolean> {
  const { Item } = await documents.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
  return Item !== undefined;
}

/** Resolves with the arguments of the next `count` onSweep calls. */
function sweepReports(count: number): { onSweep: (deleted: number, stats: SweeperStats) => void; done: Promise<SweeperStats[]> } {
  const seen: SweeperStats[] = [];
  let finish: (value: SweeperStats[]) => void = () => undefined;
  const done = new Promise<SweeperStats[]>((resolve) => { finish = resolve; });
  return {
    onSweep: (_deleted, stats) => {
      seen.push(stats);
      if (seen.length === count) finish(seen);
    },
    done,
  };
}

describe('startTtlSweeper', () => {
  it('deletes an expired item and keeps an unexpired one and one without ttl', async () => {
    const table = await freshTable();
    const expired = await put(table, 'expired', nowSeconds() - 3_600);
    const alive = await put(table, 'alive', nowSeconds() + 3_600);
    const timeless = await put(table, 'timeless');
    const ttlSweeper = sweeper({ table, intervalMs: 3_600_000 });

    expect(await ttlSweeper.sweepOnce()).toBe(1);

    expect(await exists(table, expired)).toBe(false);
    expect(await exists(table, alive)).toBe(true);
    expect(await exists(table, timeless)).toBe(true);
    expect(ttlSweeper.stats()).toMatchObject({ sweeps: 1, deleted: 1, lastError: null });
    expect(ttlSweeper.stats().lastSweepAt).toEqual(expect.any(Number));
  });

  it('leaves items alone until they are lagMs past their ttl', async () => {
    const table = await freshTable();
    const ttl = nowSeconds() - 10;
    const key = await put(table, 'recently-expired', ttl);
    const ttlSweeper = sweeper({ table, intervalMs: 3_600_000, lagMs: 60_000 });

    expect(await ttlSweeper.sweepOnce()).toBe(0);
    expect(await exists(table, key)).toBe(true);
    expect(await ttlSweeper.sweepOnce((ttl + 61) * 1000)).toBe(1);
    expect(await exists(table, key)).toBe(false);
  });

  it('spares an item whose ttl was extended after it was found expired', async () => {
    const table = await freshTable();
    const cutoffSeconds = nowSeconds();
    const key = await put(table, 'extended', cutoffSeconds - 60);
    await documents.send(new UpdateCommand({
      TableName: table, Key: key, UpdateExpression: 'SET #ttl = :ttl',
      ExpressionAttributeNames: { '#ttl': 'ttl' }, ExpressionAttributeValues: { ':ttl': cutoffSeconds + 86_400 },
    }));

    expect(await deleteIfStillExpired(documents, { table, key, ttlAttribute: 'ttl', cutoffSeconds })).toBe(false);
    expect(await exists(table, key)).toBe(true);
  });

  it('sweeps every page of a table larger than one Scan page', async () => {
    const table = await freshTable();
    const padding = 'x'.repeat(300_000);
    const expiredAt = nowSeconds() - 3_600;
    for (let index = 0; index < 8; index += 1) {
      await documents.send(new PutCommand({
        TableName: table, Item: { PK: `SESSION#big-${index}`, SK: 'META', ttl: expiredAt, padding },
      }));
    }
    const firstPage = await documents.send(new ScanCommand({ TableName: table, ProjectionExpression: 'PK' }));
    expect(firstPage.LastEvaluatedKey).toBeDefined();
    const ttlSweeper = sweeper({ table, intervalMs: 3_600_000 });

    expect(await ttlSweeper.sweepOnce()).toBe(8);
  });

  it('deletes nothing from a table whose TTL is not enabled, as AWS would', async () => {
    const table = `sweeper-test-no-ttl-${++tables}`;
    await client.send(new CreateTableCommand({
      TableName: table, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }, { AttributeName: 'SK', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }, { AttributeName: 'SK', KeyType: 'RANGE' }],
    }));
    const key = await put(table, 'would-expire', nowSeconds() - 3_600);

    expect(await sweeper({ table, intervalMs: 3_600_000 }).sweepOnce()).toBe(0);
    expect(await exists(table, key)).toBe(true);
  });

  it('sweeps on its own timer and reports each sweep', async () => {
    const table = await freshTable();
    const key = await put(table, 'timer-expired', nowSeconds() - 3_600);
    const reports = sweepReports(2);
    sweeper({ table, intervalMs: 100, onSweep: reports.onSweep });

    const [first, second] = await reports.done;
    expect(first).toMatchObject({ sweeps: 1, deleted: 1, lastError: null });
    expect(second).toMatchObject({ sweeps: 2, deleted: 1, lastError: null });
    expect(await exists(table, key)).toBe(false);
  });

  it('records a failing sweep in its stats and keeps sweeping', async () => {
    const reports = sweepReports(2);
    const ttlSweeper = sweeper({ table: 'no-such-table', intervalMs: 100, onSweep: reports.onSweep });

    const [first, second] = await reports.done;
    expect(first?.lastError).toMatch(/ResourceNotFoundException/);
    expect(second?.sweeps).toBe(2);
    await expect(ttlSweeper.sweepOnce()).rejects.toThrow(/non-existent table|not found/i);
  });

  it('waits for a sweep in progress when stopped, and sweeps no more', async () => {
    const table = await freshTable();
    await put(table, 'stop-expired', nowSeconds() - 3_600);
    const ttlSweeper = sweeper({ table, intervalMs: 3_600_000 });

    let settled = false;
    const sweeping = ttlSweeper.sweepOnce().finally(() => { settled = true; });
    await ttlSweeper.stop();

    expect(settled).toBe(true);
    await sweeping;
    await expect(ttlSweeper.sweepOnce()).rejects.toThrow('stopped');
    expect(ttlSweeper.stats().sweeps).toBe(1);
  });
});
