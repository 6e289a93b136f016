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
  /** What to store as the user's turn: the question, or (naive fullHistory) the whole message as sent. */
  storedUserText: string;
  /** A summary made for this turn, for the caller to save with Memory.saveSummary; null when none was made. */
  newSummary: SessionSummary | null;
}

export interface BuildContextInput {
  config: ServiceConfig;
  session: LoadedSession;
  question: string;
  retrieval: Retrieval;
  summariser: Summariser;
  /** Where the 80K warning and a failed summary are reported. */
  logger?: Logger;
}
