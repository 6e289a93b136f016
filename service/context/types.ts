import type { ServiceConfig } from '../config.js';
import type { LlmMessage } from '../llm/types.js';
import type { LoadedSession, SessionSummary, Turn } from '../memory/types.js';
import type { Retrieval } from '../retrieval/types.js';
import type { Logger } from 'pino';

export interface Summariser {
  /** Folds `turns` into `previous` (the summary of the turns before them). */
  summarise(turns: ReadonlyArray<Turn>, previous?: SessionSummary | null): Promise<SessionSummary>;
}

export interface BuiltContext {
  system: string;
  /** Alternating, starting and ending with a user message; the last holds the question. */
  messages: LlmMessage[];
  /** estimateTokens over the system prompt and every message: what is sent. */
  estimatedInputTokens: number;
  summarised: boolean;
  /** Turns of the session left out of the messages (covered by the summary when there is one). */
  droppedTurns: number;
  retrievedProductIds: string[];
  /** What to store as the user's turn: the question as typed (fenced and neutralised only when a prompt is built), or (naive fullHistory) the whole message as sent. */
  storedUserText: string;
  /** The system prompt, retrieval and question: what the window's turns did not get of the budget. */
  fixedTokens: number;
  /** Dropped turns no summary covered yet (its making was still under way), and how many of them went in whole. */
  summaryBehind: { uncovered: number; sentWhole: number };
}

/** What buildContext may know of summaries besides the one loaded with the session. */
export interface SummarySource {
  /** The newest summary this worker made for the session, which may be newer than the one loaded. */
  latest(sessionId: string): SessionSummary | null;
  /** A summary this worker is making for the session right now, if any. */
  inFlight(sessionId: string): Promise<SessionSummary | null> | undefined;
}

export interface BuildContextInput {
  config: ServiceConfig;
  session: LoadedSession;
  question: string;
  retrieval: Retrieval;
  summaries: SummarySource;
  /** Where the 80K warning and a failed summary are reported. */
  logger?: Logger;
}
