import { connectChat, createSession, type ChatClient } from '../../test/chat-client.js';

/**
 * Real chats that give every labelled series of the service a sample: answers from the model
 * (TTFT, turn duration, tokens, cost, session cache), a shared first question (response cache
 * miss, then hit in the next wave), and a message over the 4,000-grapheme limit (errors_total).
 */

const sharedQuestion = 'ワンピースの最新刊はいつ発売ですか？';
const tooLong = 'あ'.repeat(4_001);

async function withChat<T>(baseUrl: string, wsUrl: string, customerId: string, use: (chat: ChatClient) => Promise<T>): Promise<T> {
  const session = await createSession(baseUrl, customerId);
  const chat = connectChat(wsUrl, session.sessionId, session.token);
  try {
    await chat.ready;
    return await use(chat);
  } finally {
    chat.close();
    await chat.closed;
  }
}

async function expectErrorCode(turn: Promise<unknown>, code: string): Promise<void> {
  const outcome = await turn.then(() => 'done', (error: Error) => error.message);
  if (outcome !== code) throw new Error(`expected the turn to fail with ${code}, got ${outcome}`);
}

export async function chatWave(baseUrl: string, wsUrl: string, wave: string): Promise<void> {
  await Promise.all([
    withChat(baseUrl, wsUrl, `dashboards-${wave}-a`, async (chat) => {
      await chat.turn(`${wave}-a1`, sharedQuestion);
      await chat.turn(`${wave}-a2`, `${wave}: 進撃の巨人の全巻セットはありますか？`);
    }),
    withChat(baseUrl, wsUrl, `dashboards-${wave}-b`, async (chat) => {
      await chat.turn(`${wave}-b1`, `${wave}: 鬼滅の刃のおすすめの読む順番は？`);
      await chat.turn(`${wave}-b2`, 'その中で一番人気の巻はどれですか？');
      await expectErrorCode(chat.turn(`${wave}-b3`, tooLong), 'ORCH_ERR_MESSAGE_TOO_LONG');
    }),
  ]);
}

async function putFaults(adminUrl: string, faults: unknown): Promise<void> {
  const response = await fetch(`${adminUrl}/faults`, {
    method: faults === null ? 'DELETE' : 'PUT',
    headers: { 'content-type': 'application/json' },
    ...(faults === null ? {} : { body: JSON.stringify(faults) }),
  });
  if (!response.ok) throw new Error(`the emulator's /faults answered ${response.status}: ${await response.text()}`);
}

/**
 * Sonnet unavailable: one turn Haiku answers (model_fallbacks_total); then every model
 * unavailable: one turn that fails (outcome="error", ORCH_ERR_MODEL_FAILED). Faults are cleared after.
 */
export async function faultWave(baseUrl: string, wsUrl: string, emulatorAdminUrl: string, wave: string): Promise<void> {
  try {
    await withChat(baseUrl, wsUrl, `dashboards-${wave}-faults`, async (chat) => {
      await putFaults(emulatorAdminUrl, { errorRate: 1, errorType: 'ServiceUnavailableException', models: ['sonnet'] });
      const fallback = await chat.turn(`${wave}-fault-1`, `${wave}: 呪術廻戦の新刊を教えてください。`);
      if (!fallback.model.includes('haiku')) throw new Error(`expected Haiku to answer after Sonnet failed, got ${fallback.model}`);
      await putFaults(emulatorAdminUrl, { models: null });
      await expectErrorCode(chat.turn(`${wave}-fault-2`, 'スパイファミリーは何巻まで出ていますか？'), 'ORCH_ERR_MODEL_FAILED');
    });
  } finally {
    await putFaults(emulatorAdminUrl, null);
  }
}
