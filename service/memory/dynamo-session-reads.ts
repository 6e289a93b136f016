import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Expiry, keys, readSummary, readTurn, type StoredMeta } from './dynamo-items.js';
import { queryItems } from './dynamo-paging.js';
import type { MemoryTelemetry } from './memory-telemetry.js';
import type { RawSession } from './raw-session.js';
import { partitionVerified, summaryPayload, type TurnSigner } from './turn-signing.js';

export interface SessionReadDeps {
  documents: DynamoDBDocumentClient;
  table: string;
  signer: TurnSigner;
  expiry: Expiry;
  telemetry: MemoryTelemetry;
}

type Item = Record<string, unknown>;

/**
 * The three reads that build a context, in parallel: the recent turns newest-first with a Limit
 * (so a 60-turn session costs the same as a 6-turn one), the first exchange ascending with
 * Limit 2, and the latest summary. Expired items are gone; forged ones are dropped and counted.
 */
export async function loadRawSession(deps: SessionReadDeps, stored: StoredMeta, recentTurns: number | 'all'): Promise<RawSession> {
  const { documents, table, signer, expiry, telemetry } = deps;
  const sessionId = stored.meta.sessionId;
  const pk = keys.pk(sessionId);
  const turnsQuery = (forward: boolean) => ({
    TableName: table,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': pk, ':prefix': keys.turnPrefix },
    ScanIndexForward: forward,
    ConsistentRead: true,
  });
  const [recent, first, summaries] = await Promise.all([
    recentTurns === 'all'
      ? queryItems(documents, turnsQuery(true), 'all')
      : queryItems(documents, turnsQuery(false), recentTurns).then(({ items, exhausted }) => ({ items: items.reverse(), exhausted })),
    recentTurns === 'all' ? null : queryItems(documents, turnsQuery(true), 2),
    queryItems(documents, {
      TableName: table,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': keys.summaryPrefix },
      ScanIndexForward: false,
      ConsistentRead: true,
    }, 1),
  ]);

  const now = Date.now();
  const live = (items: Item[]) => items.filter((item) => expiry.isLive(item, now)).map(readTurn);
  const recentCheck = partitionVerified(signer, live(recent.items));
  const firstCheck = first ? partitionVerified(signer, live(first.items)) : null;
  telemetry.forged(sessionId, 'recent turns', recentCheck.forged);
  // A forged turn among the first two is usually also among the recent ones: count it once.
  const seen = new Set(recentCheck.forged.map((turn) => `${turn.ts}#${turn.idx}`));
  const firstForged = (firstCheck?.forged ?? []).filter((turn) => !seen.has(`${turn.ts}#${turn.idx}`));
  telemetry.forged(sessionId, 'first turns', firstForged);

  const summaryItem = summaries.items.find((item) => expiry.isLive(item, now));
  let summary = summaryItem ? readSummary(summaryItem) : null;
  let forgedSummaries = 0;
  if (summary && !signer.verify(summaryPayload(summary), summary.sig)) {
    telemetry.forgedSummary(sessionId, 'summary', summary);
    summary = null;
    forgedSummaries = 1;
  }

  return {
    stored,
    turns: recentCheck.verified,
    firstTurns: firstCheck ? firstCheck.verified : recentCheck.verified.slice(0, 2),
    summary,
    complete: recent.exhausted,
    droppedForgeries: recentCheck.forged.length + firstForged.length + forgedSummaries,
  };
}
