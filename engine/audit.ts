import { createHmac, timingSafeEqual } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SessionRecord } from './session-plan.js';

export interface AuditResult {
  sessions: number;
  /** Turns the client saw a done for. */
  acknowledged: number;
  /** User turns stored (live) for the run's sessions: one per exchange. */
  stored: number;
  turnsLost: number;
  turnsDuplicated: number;
  outOfOrder: number;
  /** Stored turns whose signature is missing or wrong (only checked when a secret is given). */
  unsigned: number;
  examples: string[];
}

export interface AuditOptions {
  dynamodbEndpoint: string;
  table: string;
  region?: string;
  signingSecret: string | null;
  sessions: SessionRecord[];
}

/** A stored turn as the service writes it (service/memory/dynamo-items.ts, turn-signing.ts). */
interface StoredTurn {
  idx: number;
  role: string;
  content: string;
  messageId: string;
  sig: unknown;
}

// The service's key layout: one partition per session, turns under TURN#<ts 13>#<idx 6>.
const partitionKey = (sessionId: string) => `SESSION#${sessionId}`;
const turnSortKey = /^TURN#\d{13}#\d{6}$/;
const maxExamples = 10;
const maxPages = 1_000;
const parallelReads = 8;
const loopbackHost = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

function dynamoClient(endpoint: string, region: string): DynamoDBClient {
  // DynamoDB Local takes any key; a real endpoint gets the default credential chain.
  const local = loopbackHost.test(new URL(endpoint).hostname);
  return new DynamoDBClient({
    endpoint, region, maxAttempts: 3,
    ...(local ? { credentials: { accessKeyId: 'gameday', secretAccessKey: 'gameday' } } : {}),
  });
}

/** Every live turn item of the session: an item past its ttl counts as gone, as the service reads it. */
async function storedTurns(documents: DynamoDBDocumentClient, table: string, sessionId: string, nowSeconds: number): Promise<StoredTurn[]> {
  const turns: StoredTurn[] = [];
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < maxPages; page += 1) {
    const answer = await documents.send(new QueryCommand({
      TableName: table, ConsistentRead: true, ExclusiveStartKey: startKey,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :turn)',
      ExpressionAttributeValues: { ':pk': partitionKey(sessionId), ':turn': 'TURN#' },
    }));
    for (const item of answer.Items ?? []) {
      if (!turnSortKey.test(String(item.SK))) continue;
      if (typeof item.ttl === 'number' && item.ttl < nowSeconds) continue;
      turns.push({ idx: Number(item.idx), role: String(item.role), content: String(item.content ?? ''), messageId: String(item.messageId ?? ''), sig: item.sig });
    }
    startKey = answer.LastEvaluatedKey;
    if (!startKey) return turns;
  }
  throw new Error(`the turns of session ${sessionId} did not end within ${maxPages} pages`);
}

/** HMAC-SHA256 hex over `idx:role:content`, as the service signs a turn. */
export function signatureValid(secret: string, turn: Pick<StoredTurn, 'idx' | 'role' | 'content' | 'sig'>): boolean {
  if (typeof turn.sig !== 'string' || !/^[0-9a-f]{64}$/.test(turn.sig)) return false;
  const expected = createHmac('sha256', secret).update(`${turn.idx}:${turn.role}:${turn.content}`, 'utf8').digest();
  return timingSafeEqual(expected, Buffer.from(turn.sig, 'hex'));
}

/** Compares one session's store with what its client saw acknowledged; adds into `result`. */
function auditSession(session: SessionRecord, turns: StoredTurn[], secret: string | null, result: AuditResult, examples: string[]): void {
  const note = (line: string) => { if (examples.length < maxExamples) examples.push(`session ${session.sessionId}: ${line}`); };
  const byMessage = new Map<string, { user: StoredTurn[]; assistant: StoredTurn[] }>();
  for (const turn of turns) {
    if (turn.role === 'user') result.stored += 1;
    if (secret !== null && !signatureValid(secret, turn)) {
      result.unsigned += 1;
      note(`turn idx ${turn.idx} (${turn.role}, ${turn.messageId}) has ${typeof turn.sig === 'string' ? 'a wrong' : 'no'} signature`);
    }
    const pair = byMessage.get(turn.messageId) ?? { user: [], assistant: [] };
    if (turn.role === 'user') pair.user.push(turn);
    else if (turn.role === 'assistant') pair.assistant.push(turn);
    byMessage.set(turn.messageId, pair);
  }
  let previousIdx = -1;
  for (const { messageId, turnCount } of session.acknowledged) {
    result.acknowledged += 1;
    const pair = byMessage.get(messageId);
    if (!pair || pair.user.length === 0 || pair.assistant.length === 0) {
      result.turnsLost += 1;
      note(`${messageId} (acknowledged with turnCount ${turnCount}) has no stored ${!pair || pair.user.length === 0 ? 'user' : 'assistant'} turn`);
      continue;
    }
    if (pair.user.length > 1 || pair.assistant.length > 1) {
      result.turnsDuplicated += 1;
      note(`${messageId} is stored ${Math.max(pair.user.length, pair.assistant.length)} times`);
    }
    const idx = Math.min(...pair.user.map((turn) => turn.idx));
    if (idx <= previousIdx) {
      result.outOfOrder += 1;
      note(`${messageId} is stored at idx ${idx}, not after idx ${previousIdx}`);
    }
    previousIdx = Math.max(previousIdx, idx);
  }
}

/**
 * The end-of-run integrity audit, read straight from DynamoDB: every acknowledged turn of every
 * session is stored exactly once, in acknowledgement order, and signed.
 */
export async function auditSessions(options: AuditOptions): Promise<AuditResult> {
  const client = dynamoClient(options.dynamodbEndpoint, options.region ?? 'us-east-1');
  const documents = DynamoDBDocumentClient.from(client);
  const result: AuditResult = { sessions: 0, acknowledged: 0, stored: 0, turnsLost: 0, turnsDuplicated: 0, outOfOrder: 0, unsigned: 0, examples: [] };
  const nowSeconds = Math.floor(Date.now() / 1000);
  const queue = options.sessions.entries();
  // Examples per session, joined in the run's order however the reads interleave.
  const examples: string[][] = [];
  // A few reads at once: a run of thousands of sessions is audited in seconds, not minutes.
  const reader = async () => {
    for (const [index, session] of queue) {
      const turns = await storedTurns(documents, options.table, session.sessionId, nowSeconds);
      result.sessions += 1;
      auditSession(session, turns, options.signingSecret, result, (examples[index] = []));
    }
  };
  try {
    await Promise.all(Array.from({ length: parallelReads }, reader));
  } finally {
    client.destroy();
  }
  result.examples = examples.flat().slice(0, maxExamples);
  return result;
}
