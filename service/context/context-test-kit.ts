import type { Logger } from 'pino';
import type { ServiceConfig } from '../config.js';
import type { Llm } from '../llm/types.js';
import type { LoadedSession, SessionSummary, Turn } from '../memory/types.js';
import type { Retrieval } from '../retrieval/types.js';
import { buildContext, turnsToLoad } from './build-context.js';
import type { BuiltContext, Summariser } from './types.js';

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

/** One turn as the service runs it: context, Sonnet's streamed answer, then what the caller stores. */
export async function runTurn(conversation: Conversation, question: string, deps: TurnDeps): Promise<{ built: BuiltContext; reply: string }> {
  const built = await buildContext({ ...deps, session: conversation.load(deps.config), question });
  const stream = deps.llm.stream({
    model: 'sonnet', system: built.system, messages: built.messages, maxTokens: deps.config.context.maxOutputTokens, timeoutMs: 25_000,
  });
  let reply = '';
  for await (const text of stream) reply += text;
  await stream.result;
  conversation.append(built.storedUserText, reply);
  if (built.newSummary) conversation.summary = built.newSummary;
  return { built, reply };
}

/** The titles of the last numbered list ("1. 『A』…") in a reply. */
export function listedTitles(reply: string): string[] {
  return [...reply.matchAll(/^\d+\. 『([^』]+)』/gm)].map((match) => match[1] as string);
}
