import {
  CreateTableCommand, DescribeTimeToLiveCommand, type DynamoDBClient, ResourceInUseException,
  UpdateTimeToLiveCommand, waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

/** The conversation-memory table of seed 003: one partition per session, GSI1 by customer. */
export const sessionTable = { name: 'mangaassist-sessions', gsi1: 'GSI1', ttlAttribute: 'ttl' } as const;

function createTableCommand(name: string): CreateTableCommand {
  return new CreateTableCommand({
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'PK', AttributeType: 'S' },
      { AttributeName: 'SK', AttributeType: 'S' },
      { AttributeName: 'GSI1PK', AttributeType: 'S' },
      // epoch ms, so the newest session of a customer sorts last and reads first backwards
      { AttributeName: 'GSI1SK', AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [{
      IndexName: sessionTable.gsi1,
      KeySchema: [
        { AttributeName: 'GSI1PK', KeyType: 'HASH' },
        { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    }],
  });
}

/**
 * Creates the session table if it is missing, waits until it is ACTIVE and turns TTL on.
 * Safe to call on a table that already exists (the stack calls it on every start).
 */
export async function createSessionTable(client: DynamoDBClient, name: string = sessionTable.name): Promise<void> {
  try {
    await client.send(createTableCommand(name));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client, minDelay: 1, maxWaitTime: 60 }, { TableName: name });

  // Real DynamoDB refuses to enable TTL twice, so look before asking.
  const { TimeToLiveDescription: ttl } = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
  const enabled = ttl?.AttributeName === sessionTable.ttlAttribute
    && (ttl.TimeToLiveStatus === 'ENABLED' || ttl.TimeToLiveStatus === 'ENABLING');
  if (enabled) return;
  await client.send(new UpdateTimeToLiveCommand({
    TableName: name,
    TimeToLiveSpecification: { AttributeName: sessionTable.ttlAttribute, Enabled: true },
  }));
}
