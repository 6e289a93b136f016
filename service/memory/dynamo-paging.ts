import { BatchWriteCommand, type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { serviceErrors } from '../errors.js';
import { turnSortKeyPattern } from './dynamo-items.js';

type Item = Record<string, unknown>;

// A 1 MB page holds thousands of turns, so these bounds are never the reason a read stops short.
const maxPages = 1_000;
const batchSize = 25;
const maxBatchAttempts = 6;

/**
 * Up to `want` items across as many pages as DynamoDB needs: a Limit only caps one page, and a
 * page also ends at 1 MB, so stopping at the first LastEvaluatedKey would silently drop items.
 */
export async function queryItems(
  documents: DynamoDBDocumentClient, input: QueryCommandInput, want: number | 'all',
): Promise<{ items: Item[]; exhausted: boolean }> {
  const items: Item[] = [];
  let startKey = input.ExclusiveStartKey;
  for (let page = 0; page < maxPages; page += 1) {
    const remaining = want === 'all' ? undefined : want - items.length;
    const answer = await documents.send(new QueryCommand({ ...input, Limit: remaining, ExclusiveStartKey: startKey }));
    items.push(...(answer.Items ?? []));
    startKey = answer.LastEvaluatedKey;
    if (!startKey) return { items, exhausted: true };
    if (want !== 'all' && items.length >= want) return { items, exhausted: false };
  }
  throw serviceErrors.storeFailed(`a query did not finish within ${maxPages} pages`);
}

/** Deletes keys 25 at a time, retrying what DynamoDB leaves unprocessed, with backoff. */
export async function batchDelete(documents: DynamoDBDocumentClient, table: string, itemKeys: Item[]): Promise<void> {
  for (let start = 0; start < itemKeys.length; start += batchSize) {
    let requests = itemKeys.slice(start, start + batchSize).map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 0; requests.length > 0; attempt += 1) {
      if (attempt >= maxBatchAttempts) {
        throw serviceErrors.storeFailed(`${requests.length} deletes still unprocessed after ${maxBatchAttempts} attempts`);
      }
      if (attempt > 0) await sleep(Math.min(1_000, 50 * 2 ** attempt));
      const answer = await documents.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (answer.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
}

/** Opaque to clients; it only ever names a position inside the session it came with. */
export function encodeTurnCursor(sortKey: string): string {
  return Buffer.from(JSON.stringify({ sk: sortKey }), 'utf8').toString('base64url');
}

export function decodeTurnCursor(cursor: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const sortKey = (parsed as { sk?: unknown }).sk;
    if (typeof sortKey === 'string' && turnSortKeyPattern.test(sortKey)) return sortKey;
  } catch {
    // falls through to the coded error below
  }
  throw serviceErrors.badRequest('the cursor is not one this service returned');
}

export function checkPageLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw serviceErrors.badRequest(`limit must be a whole number from 1 to 100, not ${limit}`);
  }
}
