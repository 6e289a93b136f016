export interface Turn {
  idx: number;
  role: 'user' | 'assistant';
  content: string;
  messageId: string;
  ts: number;
}

export interface SessionMeta {
  sessionId: string;
  customerId: string;
  ownerTokenHash: string;
  /** Completed user→assistant exchanges. */
  turnCount: number;
  /** The idx the next stored turn gets. */
  nextIdx: number;
  createdAt: number;
  updatedAt: number;
  /** Epoch seconds; 0 when the item has no ttl (the naive noTtl switch). */
  expiresAt: number;
}

export interface SessionSummary {
  text: string;
  /** The last turn idx the summary covers. */
  throughIdx: number;
  entities: Record<string, string>;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export interface Exchange {
  messageId: string;
  user: Turn;
  assistant: Turn;
  usage: Usage;
  model: string;
  summarised: boolean;
}

export interface LoadedSession {
  meta: SessionMeta;
  /** The most recent turns asked for, chronological, each verified. */
  turns: Turn[];
  /** The session's first exchange (two turns), verified; empty before the first turn. */
  firstTurns: Turn[];
  summary: SessionSummary | null;
  /** Turns dropped on load because their signature was missing or wrong. */
  droppedForgeries: number;
}

export interface NewExchange {
  messageId: string;
  userText: string;
  assistantText: string;
  usage: Usage;
  model: string;
  summarised: boolean;
}

export interface MemoryStats {
  forgedTurnsDropped: number;
  cacheHits: number;
  cacheMisses: number;
}

export interface Memory {
  createSession(input: { customerId: string }): Promise<{ meta: SessionMeta; token: string }>;
  /** null when absent or expired. */
  loadSession(sessionId: string, options: { recentTurns: number | 'all' }): Promise<LoadedSession | null>;
  /** META alone, null when absent or expired: enough to check a token before any turn is read. */
  loadMeta(sessionId: string): Promise<SessionMeta | null>;
  findExchange(sessionId: string, messageId: string): Promise<Exchange | null>;
  /** Durable before it resolves; a messageId already stored returns that exchange with duplicate=true. */
  appendExchange(sessionId: string, expectedNextIdx: number, exchange: NewExchange):
    Promise<{ exchange: Exchange; duplicate: boolean; turnCount: number }>;
  saveSummary(sessionId: string, summary: SessionSummary): Promise<void>;
  listTurns(sessionId: string, options: { limit: number; cursor?: string }): Promise<{ turns: Turn[]; nextCursor: string | null }>;
  latestSessionForCustomer(customerId: string): Promise<SessionMeta | null>;
  /** Every item of the session, and its cached copy (an explicit delete, as GDPR needs). */
  deleteSession(sessionId: string): Promise<void>;
  /** Constant-time check of a session's ownership token. */
  verifyOwner(meta: SessionMeta, token: string): boolean;
  /** Counts since this Memory was made (the same events also go to the Prometheus metrics). */
  stats(): MemoryStats;
  close(): Promise<void>;
}
