import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startBedrockEmulator } from '../stack/bedrock/server.js';
import { type ServiceDeps, startServiceDeps, testSigningSecret } from '../test/service-deps.js';
import { type RunningFleet, startFleet } from '../test/service-fleet.js';
import { auditSessions } from './audit.js';
import { desktopProfile, readings } from './engine-test-kit.js';
import { chatMetrics, RunMetrics } from './metrics/run-metrics.js';
import type { ProgressState } from './progress.js';
import { runLoad } from './run-load.js';
import type { LoadTarget, SessionFactory, SessionRecord } from './session-plan.js';

let deps: ServiceDeps;
let emulator: RunningEmulator;
let fleet: RunningFleet;
let target: LoadTarget;

beforeAll(async () => {
  [deps, emulator] = await Promise.all([startServiceDeps(), startBedrockEmulator({ timeScale: 0.02, targetOutputTokens: 40 })]);
  fleet = await startFleet(deps, emulator.url, { workers: 2 });
  target = { http: fleet.baseUrl, ws: fleet.wsUrl };
}, 120_000);

afterAll(async () => {
  await fleet?.stop();
  await emulator?.close();
  await deps?.stop();
});

const twoTurns: SessionFactory = (index, random) => ({
  client: desktopProfile, customerId: `engine-load-${index}`,
  turns: [
    { text: `セッション${index}: ホラー漫画のおすすめは？`, thinkBeforeMs: Math.round(random() * 50), expect: 'answer' },
    { text: '2番目のやつについて詳しく', thinkBeforeMs: Math.round(random() * 50), expect: 'answer' },
  ],
});

const audit = (sessions: SessionRecord[]) => auditSessions({
  dynamodbEndpoint: deps.dynamodb.endpoint, table: deps.table, signingSecret: testSigningSecret, sessions,
});

async function turnItems(sessionId: string): Promise<Array<Record<string, unknown>>> {
  const answer = await deps.documents.send(new QueryCommand({
    TableName: deps.table, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :turn)',
    ExpressionAttributeValues: { ':pk': `SESSION#${sessionId}`, ':turn': 'TURN#' },
  }));
  return answer.Items ?? [];
}

function itemOf(items: Array<Record<string, unknown>>, role: string, messageId: string): Record<string, unknown> {
  const item = items.find((candidate) => candidate.role === role && candidate.messageId === messageId);
  if (!item) throw new Error(`no stored ${role} turn for ${messageId}`);
  return item;
}

describe('runLoad and the audit', () => {
  it('runs arrivals to completion; the audit finds every acknowledged turn stored once, in order, signed; then what was tampered with', async () => {
    const metrics = new RunMetrics(chatMetrics);
    const progress: ProgressState[] = [];
    const result = await runLoad({
      target, shape: { arrivals: { kind: 'constant', perSecond: 4, durationMs: 1_000 }, maxConcurrentSessions: 20 },
      sessions: twoTurns, seed: 5, metrics, onProgress: (state) => progress.push(state),
    });

    expect(result.errorExamples).toEqual([]);
    expect(result.sessions).toHaveLength(4);
    expect(result.sessions.every((session) => session.acknowledged.map((turn) => turn.turnCount).join() === '1,2')).toBe(true);
    expect(result.endedAt).toBeGreaterThanOrEqual(result.startedAt);
    expect(result.generator.cpuPercent).toBeGreaterThan(0);
    expect(readings(metrics.snapshot()).counter('chat_messages')).toBe(8);
    // Sampled each second and once at the end, when every socket is closed again.
    expect(metrics.snapshot().metrics.ws_open_sockets?.total).toMatchObject({ last: 0 });
    expect(progress.at(-1)).toMatchObject({ sessionsStarted: 4, sessionsActive: 0, sessionsDropped: 0, messages: 8, errors: 0 });

    const healthy = await audit(result.sessions);
    expect(healthy).toMatchObject({ sessions: 4, acknowledged: 8, stored: 8, turnsLost: 0, turnsDuplicated: 0, outOfOrder: 0, unsigned: 0, examples: [] });

    const [lost, forged, expired, duplicated] = result.sessions as [SessionRecord, SessionRecord, SessionRecord, SessionRecord];
    const key = (item: Record<string, unknown>) => ({ PK: item.PK, SK: item.SK });
    await deps.documents.send(new DeleteCommand({ TableName: deps.table, Key: key(itemOf(await turnItems(lost.sessionId), 'assistant', 'turn-2')) }));
    await deps.documents.send(new UpdateCommand({
      TableName: deps.table, Key: key(itemOf(await turnItems(forged.sessionId), 'assistant', 'turn-1')),
      UpdateExpression: 'SET sig = :sig', ExpressionAttributeValues: { ':sig': 'f'.repeat(64) },
    }));
    await deps.documents.send(new UpdateCommand({
      TableName: deps.table, Key: key(itemOf(await turnItems(expired.sessionId), 'user', 'turn-1')),
      UpdateExpression: 'SET #ttl = :past', ExpressionAttributeNames: { '#ttl': 'ttl' }, ExpressionAttributeValues: { ':past': 1 },
    }));
    const copied = itemOf(await turnItems(duplicated.sessionId), 'user', 'turn-2');
    await deps.documents.send(new PutCommand({ TableName: deps.table, Item: { ...copied, SK: `TURN#${'9'.repeat(13)}#000009` } }));

    const tampered = await audit(result.sessions);
    expect(tampered).toMatchObject({ sessions: 4, acknowledged: 8, turnsLost: 2, turnsDuplicated: 1, outOfOrder: 0, unsigned: 1 });
    // One user turn expired (gone), one copied (there twice).
    expect(tampered.stored).toBe(8);
    expect(tampered.examples.join('\n')).toMatch(new RegExp(`session ${lost.sessionId}: turn-2 .*no stored assistant turn`));
    expect(tampered.examples.join('\n')).toMatch(new RegExp(`session ${forged.sessionId}: .*wrong signature`));
    // Without the secret, signatures are not judged.
    expect((await auditSessions({ dynamodbEndpoint: deps.dynamodb.endpoint, table: deps.table, signingSecret: null, sessions: result.sessions })).unsigned).toBe(0);
  });

  it('counts dropped_iterations when arrivals find the concurrent-session cap full', async () => {
    const metrics = new RunMetrics(chatMetrics);
    const slow: SessionFactory = (index) => ({
      client: desktopProfile, customerId: `engine-capped-${index}`,
      turns: [{ text: `キャップのテスト ${index}`, thinkBeforeMs: 1_500, expect: 'answer' }],
    });
    const result = await runLoad({
      target, shape: { arrivals: { kind: 'constant', perSecond: 10, durationMs: 1_000 }, maxConcurrentSessions: 1 },
      sessions: slow, seed: 6, metrics,
    });

    expect(result.dropped).toBe(9);
    expect(result.sessions).toHaveLength(1);
    const read = readings(metrics.snapshot());
    expect(read.counter('dropped_iterations')).toBe(9);
    expect(read.counter('chat_messages')).toBe(1);
  });

  it('refuses a plan that wants the carrier path when the target has none', async () => {
    const metrics = new RunMetrics(chatMetrics);
    const carrier: SessionFactory = () => ({ client: { ...desktopProfile, via: 'carrier' }, customerId: 'engine-no-carrier', turns: [] });
    await expect(runLoad({
      target, shape: { arrivals: { kind: 'constant', perSecond: 10, durationMs: 500 }, maxConcurrentSessions: 5 },
      sessions: carrier, seed: 7, metrics,
    })).rejects.toThrow(/carrierWs/);
  });
});
