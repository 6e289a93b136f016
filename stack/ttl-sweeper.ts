import {
  ConditionalCheckFailedException, DescribeTableCommand, DescribeTimeToLiveCommand, type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Logger } from 'pino';

export interface SweeperStats {
  sweeps: number;
  deleted: number;
  lastSweepAt: number | null;
  lastError: string | null;
}

export interface TtlSweeper {
  /** One sweep now (after any sweep in progress); resolves with the number of items deleted. */
  sweepOnce(nowMs?: number): Promise<number>;
  stats(): SweeperStats;
  /** Stops the timer and waits for a sweep in progress, which ends after its current page. */
  stop(): Promise<void>;
}

export interface TtlSweeperOptions {
  client: DynamoDBClient;
  table: string;
  /** Default 30 s. */
  intervalMs?: number;
  /** How long past its ttl an item survives at least (AWS takes up to days); default 5 s. */
  lagMs?: number;
  /** After every sweep, also failed ones (then `deleted` is what it managed before failing). */
  onSweep?: (deleted: number, stats: SweeperStats) => void;
  logger?: Logger;
}

type Key = Record<string, unknown>;

// Bounds one sweep: 1 MB pages, so far beyond anything an in-memory DynamoDB Local holds.
const maxPagesPerSweep = 10_000;
const deletesInFlight = 16;

/**
 * Deletes the item only if its TTL attribute is still below the cutoff (epoch seconds), so an
 * item whose ttl was extended after the scan saw it survives. Resolves with whether it went.
 */
export async function deleteIfStillExpired(
  documents: DynamoDBDocumentClient,
  target: { table: string; key: Key; ttlAttribute: string; cutoffSeconds: number },
): Promise<boolean> {
  try {
    await documents.send(new DeleteCommand({
      TableName: target.table,
      Key: target.key,
      ConditionExpression: '#ttl < :cutoff',
      ExpressionAttributeNames: { '#ttl': target.ttlAttribute },
      ExpressionAttributeValues: { ':cutoff': target.cutoffSeconds },
    }));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

interface SweepRun {
  table: string;
  cutoffSeconds: number;
  shouldStop: () => boolean;
  onDeleted: () => void;
}

/** Like AWS TTL: nothing expires unless TTL is enabled on the table, and only a Number ttl counts. */
async function sweepTable(client: DynamoDBClient, documents: DynamoDBDocumentClient, run: SweepRun): Promise<void> {
  const { table, cutoffSeconds } = run;
  const { TimeToLiveDescription: ttl } = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
  if (ttl?.TimeToLiveStatus !== 'ENABLED' || !ttl.AttributeName) return;
  const ttlAttribute = ttl.AttributeName;
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
  const keyNames = (Table?.KeySchema ?? []).map((element) => element.AttributeName as string);
  const names: Record<string, string> = { '#ttl': ttlAttribute };
  keyNames.forEach((name, index) => { names[`#k${index}`] = name; });

  let startKey: Key | undefined;
  for (let page = 0; page < maxPagesPerSweep && !run.shouldStop(); page += 1) {
    const { Items = [], LastEvaluatedKey } = await documents.send(new ScanCommand({
      TableName: table,
      ProjectionExpression: Object.keys(names).join(', '),
      FilterExpression: '#ttl < :cutoff',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':cutoff': cutoffSeconds },
      ExclusiveStartKey: startKey,
    }));
    for (let start = 0; start < Items.length; start += deletesInFlight) {
      await Promise.all(Items.slice(start, start + deletesInFlight).map(async (item) => {
        const key = Object.fromEntries(keyNames.map((name) => [name, item[name]]));
        if (await deleteIfStillExpired(documents, { table, key, ttlAttribute, cutoffSeconds })) run.onDeleted();
      }));
    }
    if (!LastEvaluatedKey) return;
    startKey = LastEvaluatedKey;
  }
}

/**
 * DynamoDB Local never expires items; this does what AWS TTL does, in the background: every
 * `intervalMs` it deletes the items whose ttl (epoch seconds) lies more than `lagMs` in the
 * past. Sweeps never overlap, and a failing one is recorded, never thrown from the timer.
 */
export function startTtlSweeper(options: TtlSweeperOptions): TtlSweeper {
  const { client, table, intervalMs = 30_000, lagMs = 5_000, onSweep, logger } = options;
  const documents = DynamoDBDocumentClient.from(client);
  const stats: SweeperStats = { sweeps: 0, deleted: 0, lastSweepAt: null, lastError: null };
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  const report = (deleted: number) => {
    try {
      onSweep?.(deleted, { ...stats });
    } catch (error) {
      logger?.warn({ err: error, table }, 'the TTL sweeper\'s onSweep callback threw');
    }
  };

  const sweep = async (nowMs: number): Promise<number> => {
    let deleted = 0;
    try {
      await sweepTable(client, documents, {
        table,
        cutoffSeconds: (nowMs - lagMs) / 1000,
        shouldStop: () => stopped,
        onDeleted: () => { deleted += 1; stats.deleted += 1; },
      });
      stats.lastError = null;
      if (deleted > 0) logger?.info({ table, deleted }, 'TTL sweeper deleted expired items');
      return deleted;
    } catch (error) {
      stats.lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      logger?.warn({ err: error, table, deleted }, 'TTL sweep failed');
      throw error;
    } finally {
      stats.sweeps += 1;
      stats.lastSweepAt = Date.now();
      report(deleted);
    }
  };

  const enqueue = (nowMs?: number): Promise<number> => {
    const run = queue.then(() => sweep(nowMs ?? Date.now()));
    queue = run.catch(() => undefined);
    return run;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      void enqueue().catch(() => undefined).then(schedule);
    }, intervalMs);
    // The sweeper serves a process that lives for other reasons; it must not keep one alive.
    timer.unref();
  };
  schedule();

  return {
    sweepOnce: (nowMs) => (stopped ? Promise.reject(new Error('the TTL sweeper is stopped')) : enqueue(nowMs)),
    stats: () => ({ ...stats }),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await queue;
    },
  };
}
