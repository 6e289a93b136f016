/**
 * The chat workload of the reference's k6 table (shared/reference/k6-compat.md): one session
 * per VU-equivalent holding one WebSocket, a message 2 s after the previous answer, each answer
 * 20 chunks 10 ms apart and a done frame. One definition for our generator, the k6 script and
 * the fake server, so they cannot drift apart. Pure: the k6 script bundles it.
 */
export const thinkMs = 2_000;
export const chunksPerAnswer = 20;
export const chunkGapMs = 10;
/** The fake writes the first chunk at once and done one gap after the last chunk. */
export const answerMs = chunksPerAnswer * chunkGapMs;
/** Send to send, when neither side adds any delay. */
export const cycleMs = thinkMs + answerMs;
/** Sessions open quickly at the start, but not all in one tick: creating one costs a POST and a handshake. */
export const arrivalsPerSecond = 1_000;
export const messageText = 'ホラー漫画の新刊でおすすめはありますか？';
export const chunkText = '新刊の情報です。';

const goldenRatio = 0.6180339887498949;

/** When session `index` arrives, in ms from the start of its run. */
export function arrivalMs(index: number): number {
  return (index * 1_000) / arrivalsPerSecond;
}

/** Session `index`'s wait before its first message, spread evenly over one think so sessions do not send in lockstep. */
export function firstThinkMs(index: number): number {
  return Math.floor(((index * goldenRatio) % 1) * thinkMs);
}

/**
 * How many messages the schedule asks of `sessions` sessions from `fromMs` until `toMs` of the
 * run: each sends at arrival + first think, then once per cycle.
 */
export function scheduledBetween(sessions: number, fromMs: number, toMs: number): number {
  let total = 0;
  for (let index = 0; index < sessions; index += 1) {
    const first = arrivalMs(index) + firstThinkMs(index);
    // Sends due before toMs, less those due before fromMs.
    const dueBy = (ms: number) => (ms <= first ? 0 : Math.floor((ms - first - 1) / cycleMs) + 1);
    total += dueBy(toMs) - dueBy(fromMs);
  }
  return total;
}

/** All the messages the schedule asks of a run of `durationMs`. */
export function scheduledMessages(sessions: number, durationMs: number): number {
  return scheduledBetween(sessions, 0, durationMs);
}

/** Enough turns for a session that never falls behind, plus one. */
export function turnsPerSession(durationMs: number): number {
  return Math.ceil(durationMs / cycleMs) + 2;
}
