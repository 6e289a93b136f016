import { pino, type Logger } from 'pino';
import type { ServiceConfig } from '../config.js';
import type { Llm } from '../llm/types.js';
import type { LoadedSession, SessionSummary, Turn } from '../memory/types.js';
import type { Retrieval } from '../retrieval/types.js';
import { testMetrics } from '../llm/llm-test-kit.js';
import { buildContext, turnsToLoad } from './build-context.js';
import { createSummariesAhead } from './summaries-ahead.js';
import type { SummaryLease } from './summary-lease.js';
import type { BuiltContext, Summariser, SummarySource } from './types.js';

/**
 * A conversation held in memory the way Memory.loadSession hands it out (first exchange,
 * the newest turns, the stored summary), so context tests drive buildContext and the model
 * turn after turn without a database.
 */
export class Conversation {
  readonly turns: Turn[] = [];
  summary: SessionSummary | null = null;

  constructor(readonly sessionId = 'context-test-session-0001') {}

  load(config: ServiceConfig): LoadedSession {
    const wanted = turnsToLoad(config);
    const now = Date.now();
    return {
      meta: {
        sessionId: this.sessionId, customerId: 'customer-1', ownerTokenHash: '', turnCount: this.turns.length / 2,
        nextIdx: this.turns.length, createdAt: now, updatedAt: now, expiresAt: Math.floor(now / 1000) + 86_400,
      },
      turns: wanted === 'all' ? [...this.turns] : this.turns.slice(-wanted),
      firstTurns: this.turns.slice(0, 2),
      summary: this.summary,
      droppedForgeries: 0,
    };
  }

  append(userText: string, assistantText: string): void {
    const ts = Date.now();
    const idx = this.turns.length;
    this.turns.push({ idx, role: 'user', content: userText, messageId: `m${idx}`, ts },
      { idx: idx + 1, role: 'assistant', content: assistantText, messageId: `m${idx}`, ts });
  }

  /** What a fork of this conversation at this point would hold. */
  copy(): Conversation {
    const copy = new Conversation(this.sessionId);
    copy.turns.push(...this.turns.map((turn) => ({ ...turn })));
    copy.summary = this.summary;
    return copy;
  }
}

export interface TurnDeps { config: ServiceConfig; llm: Llm; retrieval: Retrieval; summariser: Summariser; logger?: Logger }

/** One worker: the fleet-wide lease is the Redis one's business (summary-lease tests). */
export const soleWorkerLease: SummaryLease = { acquire: () => Promise.resolve(() => Promise.resolve()) };
/** No summary is being made: the turn has only the stored one. */
export const noSummariesUnderWay: SummarySource = { latest: () => null, inFlight: () => undefined };

/**
 * One turn as the service runs it: context, Sonnet's streamed answer, what the caller stores,
 * then the summary ahead, which the customer's think time lets finish before the next turn.
 */
export async function runTurn(conversation: Conversation, question: string, deps: TurnDeps,
  summaries: SummarySource = noSummariesUnderWay): Promise<{ built: BuiltContext; reply: string }> {
  const session = conversation.load(deps.config);
  const built = await buildContext({ ...deps, session, question, summaries });
  const stream = deps.llm.stream({
    model: 'sonnet', system: built.system, messages: built.messages, maxTokens: deps.config.context.maxOutputTokens, timeoutMs: 25_000,
  });
  let reply = '';
  for await (const text of stream) reply += text;
  await stream.result;
  conversation.append(built.storedUserText, reply);
  const ahead = createSummariesAhead({
    config: deps.config, summariser: deps.summariser, lease: soleWorkerLease, metrics: testMetrics(), logger: deps.logger ?? pino({ level: 'silent' }),
    save: (_sessionId, summary) => {
      if (!conversation.summary || conversation.summary.throughIdx <= summary.throughIdx) conversation.summary = summary;
      return Promise.resolve();
    },
  });
  ahead.foldAfterTurn(session, conversation.turns.slice(-2) as [Turn, Turn], built.fixedTokens);
  await ahead.settled();
  return { built, reply };
}

/** The titles of the last numbered list ("1. 『A』…") in a reply. */
export function listedTitles(reply: string): string[] {
  return [...reply.matchAll(/^\d+\. 『([^』]+)』/gm)].map((match) => match[1] as string);
}
