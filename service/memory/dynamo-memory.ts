import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceError, serviceErrors } from '../errors.js';
import {
  type Expiry, keys, metaItem, msgItem, readExchange, readMeta, readTurn, type StoredMeta, summaryItem, turnItem,
} from './dynamo-items.js';
import { batchDelete, checkPageLimit, decodeTurnCursor, encodeTurnCursor, queryItems } from './dynamo-paging.js';
import { loadRawSession } from './dynamo-session-reads.js';
import { checkRecentTurns, type RawSession, toLoaded } from './raw-session.js';
import type { MemoryTelemetry } from './memory-telemetry.js';
import { ownerTokenMatches } from './session-ids.js';
import {
  buildExchange, checkNewExchange, checkSessionId, newSession, NextIdxRaceError, turnCountAfter, verifyExchange,
} from './session-records.js';
import { partitionVerified, plainTurn, signSummary, type TurnSigner } from './turn-signing.js';
import type { Exchange, LoadedSession, Memory, NewExchange, SessionMeta, SessionSummary } from './types.js';

export interface DynamoStoreDeps {
  documents: DynamoDBDocumentClient;
  table: string;
  signer: TurnSigner;
  expiry: Expiry;
  telemetry: MemoryTelemetry;
}

/** The durable store, plus the raw reads the Redis L1 in front of it needs. */
export interface DynamoStore extends Memory {
  /** A strongly consistent read of META; null when absent or expired. */
  readStoredMeta(sessionId: string): Promise<StoredMeta | null>;
  /** The turns, first exchange and summary of a session whose META was just read. */
  loadRawFrom(stored: StoredMeta, recentTurns: number | 'all'): Promise<RawSession>;
}

const createAttempts = 3;
const conflictAttempts = 4;

/** Every DynamoDB failure becomes the coded store error (never swallowed), keeping the cause. */
async function guarded<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ServiceError) throw error;
    const failure = serviceErrors.storeFailed(
      `${operation}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    failure.cause = error;
    throw failure;
  }
}

function cancellationCodes(error: TransactionCanceledException): string[] {
  return (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
}

export function createDynamoStore(deps: DynamoStoreDeps): DynamoStore {
  const { documents, table, signer, expiry, telemetry } = deps;

  const readStoredMeta = (sessionId: string) => guarded('read META', async () => {
    checkSessionId(sessionId);
    const { Item } = await documents.send(new GetCommand({
      TableName: table, Key: { PK: keys.pk(sessionId), SK: keys.meta }, ConsistentRead: true,
    }));
    return Item && expiry.isLive(Item, Date.now()) ? readMeta(Item) : null;
  });

  const loadRawFrom = (stored: StoredMeta, recentTurns: number | 'all') => guarded('load session', async () => {
    checkRecentTurns(recentTurns);
    return loadRawSession({ documents, table, signer, expiry, telemetry }, stored, recentTurns);
  });

  const findExchange = (sessionId: string, messageId: string) => guarded('find exchange', async () => {
    checkSessionId(sessionId);
    const { Item } = await documents.send(new GetCommand({
      TableName: table, Key: { PK: keys.pk(sessionId), SK: keys.msg(messageId) }, ConsistentRead: true,
    }));
    if (!Item || !expiry.isLive(Item, Date.now())) return null;
    return verifyExchange(signer, telemetry, sessionId, readExchange(Item));
  });

  const commitExchange = async (sessionId: string, expectedNextIdx: number, input: NewExchange) => {
    const now = Date.now();
    const ttl = expiry.ttlFrom(now);
    const exchange = buildExchange(signer, expectedNextIdx, input, now);
    const pk = keys.pk(sessionId);
    const setTtl = ttl === undefined ? '' : ', #ttl = :ttl';
    const liveOnly = ttl === undefined ? '' : ' AND (attribute_not_exists(#ttl) OR #ttl >= :nowSeconds)';
    await documents.send(new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: table, Item: msgItem(sessionId, exchange, ttl), ConditionExpression: 'attribute_not_exists(PK)' } },
        { Put: { TableName: table, Item: turnItem(sessionId, exchange.user, ttl), ConditionExpression: 'attribute_not_exists(PK)' } },
        { Put: { TableName: table, Item: turnItem(sessionId, exchange.assistant, ttl), ConditionExpression: 'attribute_not_exists(PK)' } },
        {
          Update: {
            TableName: table,
            Key: { PK: pk, SK: keys.meta },
            UpdateExpression: `SET turnCount = turnCount + :one, nextIdx = :next, updatedAt = :now, GSI1SK = :now${setTtl}`,
            ConditionExpression: `attribute_exists(PK) AND nextIdx = :expected${liveOnly}`,
            ...(ttl === undefined ? {} : { ExpressionAttributeNames: { '#ttl': 'ttl' } }),
            ExpressionAttributeValues: {
              ':one': 1, ':next': expectedNextIdx + 2, ':now': now, ':expected': expectedNextIdx,
              ...(ttl === undefined ? {} : { ':ttl': ttl, ':nowSeconds': Math.floor(now / 1000) }),
            },
          },
        },
      ],
    }));
    return exchange;
  };

  /** The transaction failed a condition: a retried messageId, a stale nextIdx, or a gone session. */
  const explainCancellation = async (sessionId: string, expectedNextIdx: number, messageId: string, codes: string[]) => {
    if (codes[0] === 'ConditionalCheckFailed') {
      const stored = await findExchange(sessionId, messageId);
      const current = await readStoredMeta(sessionId);
      if (!stored) throw serviceErrors.storeFailed(`message ${messageId} is stored but expired or does not verify`);
      if (!current) throw serviceErrors.sessionNotFound();
      return { exchange: stored, duplicate: true, turnCount: current.meta.turnCount };
    }
    const current = await readStoredMeta(sessionId);
    if (!current) throw serviceErrors.sessionNotFound();
    throw new NextIdxRaceError(expectedNextIdx, current.meta);
  };

  const appendExchange = (sessionId: string, expectedNextIdx: number, input: NewExchange) =>
    guarded('append exchange', async () => {
      checkSessionId(sessionId);
      checkNewExchange(expectedNextIdx, input);
      for (let attempt = 1; ; attempt += 1) {
        try {
          const stored = await commitExchange(sessionId, expectedNextIdx, input);
          const exchange = verifyExchange(signer, telemetry, sessionId, stored) as Exchange;
          return { exchange, duplicate: false, turnCount: turnCountAfter(expectedNextIdx) };
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          const codes = cancellationCodes(error);
          // Two transactions on the same items at once: one is cancelled; retrying settles which won.
          if (codes.includes('TransactionConflict') && attempt < conflictAttempts) {
            await sleep(20 * attempt + Math.random() * 30);
            continue;
          }
          if (!codes.includes('ConditionalCheckFailed')) throw error;
          return explainCancellation(sessionId, expectedNextIdx, input.messageId, codes);
        }
      }
    });

  const createSession = (input: { customerId: string }) => guarded('create session', async () => {
    for (let attempt = 1; ; attempt += 1) {
      const now = Date.now();
      const ttl = expiry.ttlFrom(now);
      const created = newSession(input.customerId, now, ttl);
      try {
        await documents.send(new PutCommand({
          TableName: table, Item: metaItem(created.meta, ttl), ConditionExpression: 'attribute_not_exists(PK)',
        }));
        return created;
      } catch (error) {
        // 144 random bits make a collision practically impossible; a retry costs nothing if one happens.
        if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException') || attempt >= createAttempts) throw error;
      }
    }
  });

  const saveSummary = (sessionId: string, summary: SessionSummary) => guarded('save summary', async () => {
    checkSessionId(sessionId);
    const ttl = expiry.ttlFrom(Date.now());
    try {
      await documents.send(new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: table, Item: summaryItem(sessionId, signSummary(signer, summary), ttl) } },
          {
            Update: {
              TableName: table,
              Key: { PK: keys.pk(sessionId), SK: keys.meta },
              UpdateExpression: 'SET summaryThroughIdx = :through',
              // Never let a late, older summary replace a newer one.
              ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(summaryThroughIdx) OR summaryThroughIdx <= :through)',
              ExpressionAttributeValues: { ':through': summary.throughIdx },
            },
          },
        ],
      }));
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) || !cancellationCodes(error).includes('ConditionalCheckFailed')) throw error;
      if (!(await readStoredMeta(sessionId))) throw serviceErrors.sessionNotFound();
    }
  });

  const listTurns = (sessionId: string, options: { limit: number; cursor?: string }) => guarded('list turns', async () => {
    checkPageLimit(options.limit);
    const startSortKey = options.cursor === undefined ? undefined : decodeTurnCursor(options.cursor);
    if (!(await readStoredMeta(sessionId))) throw serviceErrors.sessionNotFound();
    const pk = keys.pk(sessionId);
    // One more than asked shows whether another page exists, so the last page never comes back empty.
    const { items } = await queryItems(documents, {
      TableName: table,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :turn)',
      ExpressionAttributeValues: { ':pk': pk, ':turn': keys.turnPrefix },
      ConsistentRead: true,
      ExclusiveStartKey: startSortKey === undefined ? undefined : { PK: pk, SK: startSortKey },
    }, options.limit + 1);
    const page = items.slice(0, options.limit);
    const last = page.at(-1);
    const nextCursor = items.length > options.limit && last ? encodeTurnCursor(String(last.SK)) : null;
    const now = Date.now();
    const { verified, forged } = partitionVerified(signer, page.filter((item) => expiry.isLive(item, now)).map(readTurn));
    telemetry.forged(sessionId, 'listTurns', forged);
    return { turns: verified.map(plainTurn), nextCursor };
  });

  const latestSessionForCustomer = (customerId: string) => guarded('latest session for customer', async () => {
    const { items } = await queryItems(documents, {
      TableName: table,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :customer',
      ExpressionAttributeValues: { ':customer': keys.customer(customerId) },
      ScanIndexForward: false,
    }, 25);
    const now = Date.now();
    const live = items.find((item) => expiry.isLive(item, now));
    return live ? readMeta(live).meta : null;
  });

  const deleteSession = (sessionId: string) => guarded('delete session', async () => {
    checkSessionId(sessionId);
    const pk = keys.pk(sessionId);
    // META first: with it gone no append can commit, so the sweep below cannot miss a late turn.
    await documents.send(new DeleteCommand({ TableName: table, Key: { PK: pk, SK: keys.meta } }));
    const { items } = await queryItems(documents, {
      TableName: table,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ProjectionExpression: 'PK, SK',
      ConsistentRead: true,
    }, 'all');
    await batchDelete(documents, table, items);
  });

  return {
    readStoredMeta,
    loadRawFrom,
    createSession,
    loadSession: async (sessionId, options): Promise<LoadedSession | null> => {
      checkRecentTurns(options.recentTurns);
      const stored = await readStoredMeta(sessionId);
      return stored ? toLoaded(await loadRawFrom(stored, options.recentTurns), options.recentTurns) : null;
    },
    loadMeta: async (sessionId) => (await readStoredMeta(sessionId))?.meta ?? null,
    findExchange,
    appendExchange,
    saveSummary,
    listTurns,
    latestSessionForCustomer,
    deleteSession,
    verifyOwner: (meta: SessionMeta, token: string) => ownerTokenMatches(meta.ownerTokenHash, token),
    stats: () => telemetry.stats(),
    close: async () => undefined,
  };
}
