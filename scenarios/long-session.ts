import type { Incident } from './incident.ts';
import { constantSessions, messagesPerSecondAt1MPerDay } from './kit/load-kit.ts';
import { longSessionGates, longSessionPlan } from './kit/long-session-plan.ts';

export const longSessionTurns = 60;

// 60 turns at about 0.15 s each (time-scale 0.02) and thinks of 50-200 ms; naive sessions take longer.
const sessionMs = 20_000;

/**
 * Quick run, the arithmetic: 1M msg/day carried by 60-turn sessions is 11.57 / 60 = 0.19 new
 * sessions/s at scale 1; at 1.1 that is one every 4.7 s, so 3 sessions in the 12 s arrival window,
 * each 15-25 s long (at most about 35 s of load, 180 messages). Most turns paste 2,600-3,600
 * characters of reading notes (seed 000 s1's power user, and its "long user messages growing
 * context"). With naive fullHistory each turn adds the paste, the ten retrieved synopses the
 * history keeps (about 1,200 tokens) and the answer (about 300) to every later call, about 4,000
 * of the emulator's tokens a turn, so a session reaches the model's 200,000-token limit near turn
 * 50 (seed 000 s1: 220,000 at turn 60) and its remaining turns are refused as too long (measured:
 * 29 of 180); input tokens per turn pass 10,000 by turn 3. Hardened, every call stays inside the
 * 6,000-token budget (measured: at most 4,401 of the emulator's tokens).
 */
const quickScale = 1.1;

// Lists at turns 2, 17 and 32, each asked about by ordinal 14 turns later (seed 000 s3), and on turn 60.
const session = longSessionPlan({ incident: 'long-session', turns: longSessionTurns, thinkMs: [50, 200] });

export const longSession: Incident = {
  id: 'long-session',
  title: '60-turn sessions outgrow the model input',
  seed: '000 s1 60-Turn History Exceeds Bedrock Token Limit, s3 Coreference after the window (and 004 s1)',
  description: 'Power users hold 60-turn sessions with retrieval, pasting long notes. Sending the whole history grows '
    + 'each call until the model answers "Input is too long"; the hardened context keeps a 6,000-token budget and a '
    + 'summary whose entity map still resolves "2番目のやつ" 14 turns after the list.',
  naiveSwitch: 'fullHistory',
  timeCompression: 'a 45-minute session -> 15-25 s: the model 50x faster (time-scale 0.02) and think times 45 s -> '
    + '0.05-0.2 s; token counts are not compressed, and no timer of the service takes part in this incident',
  stack: { timeScale: 0.02 },
  defaultDurationMs: 12_000,
  load(scale, durationMs) {
    return constantSessions((messagesPerSecondAt1MPerDay * scale) / longSessionTurns, durationMs, sessionMs);
  },
  session,
  faults: () => [],
  thresholds: {
    ...longSessionGates,
    chat_ttft: ['p(95)<3000'],
  },
  // At time-scale 0.02 the 3 s gate would judge 60 ms, the path's own costs, not the model.
  realTimeLane: 'long-session-realtime',
  // Unbounded input trips by turn 3; "Input is too long" only near turn 50, which a loaded
  // machine may not reach within the run, so the proof does not rely on it.
  gateThatMatters: ['llm_input_tokens_per_turn'],
  quickScale,
};
