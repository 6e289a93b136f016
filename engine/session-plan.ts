/** What a scenario hands the engine, per session. The engine knows no incident, only these shapes. */
export interface ClientProfile {
  kind: 'mobile' | 'desktop';
  /** carrier: through the carrier proxy (LoadTarget.carrierWs), where NAT faults live. */
  via: 'direct' | 'carrier';
  /** Protocol v1: answer the server's {"type":"ping"} with a pong carrying the same ts. */
  answersServerPings: boolean;
  /** Seed 001's mobile client: 500 / 10_000 / 10. null: a dropped socket ends the session. */
  reconnect: { baseMs: number; maxMs: number; maxAttempts: number } | null;
  /** No done or error within this → an error; with `reconnect`, reconnect and resend the same messageId. */
  turnTimeoutMs: number;
}

export interface TurnPlan {
  text: string;
  thinkBeforeMs: number;
  /** What the server must do with the text: answer it, or refuse it with this code (and message). */
  expect: 'answer' | { refusedWith: string; message?: string };
  /** A reason when the reply misses what it should say (counted as coreference_misses), else null. */
  checkReply?: (reply: string, seen: { previousReplies: string[] }) => string | null;
  /** Read the history after the session: the stored user content must equal `text` byte for byte. */
  checkStored?: boolean;
}

export interface SessionPlan {
  client: ClientProfile;
  customerId: string;
  turns: TurnPlan[];
}

export type SessionFactory = (index: number, random: () => number) => SessionPlan;

/** Where the load goes: the service's REST base, its WebSocket URL, and the carrier proxy's. */
export interface LoadTarget {
  http: string;
  ws: string;
  carrierWs?: string;
}

/** One session as the client saw it; `acknowledged` is every done, with the user text that was sent. */
export interface SessionRecord {
  sessionId: string;
  token: string;
  acknowledged: Array<{ messageId: string; turnCount: number; text: string }>;
}
