/**
 * The floor server's session copy and context window (bench/floor-server.ts): the least a
 * hardened turn can build its model call from. The copy lives in Redis like the service's L1
 * and is used only when its version matches the META read from DynamoDB; the window is the
 * service's rule without its token budget (the first exchange, then the newest turns), and the
 * turns it drops that no summary covers yet are what the next summary is made of.
 */
import { questionMarker } from '../service/context/build-context.js';
import { systemPrompt } from '../service/context/system-prompt.js';
import type { StoredMeta } from '../service/memory/dynamo-items.js';
import { partitionVerified, type StoredSummary, type StoredTurn, summaryPayload, type TurnSigner } from '../service/memory/turn-signing.js';

export interface FloorCopy {
  stored: StoredMeta;
  /** The newest turns, chronological, signed. */
  turns: StoredTurn[];
  /** The session's first exchange, which every context keeps. */
  firstTurns: StoredTurn[];
  summary: StoredSummary | null;
}

export interface FloorWindow {
  /** What the model sees, in order: the first exchange, then the newest turns. */
  turns: StoredTurn[];
  /** Turns the window dropped that the stored summary does not cover yet: non-empty means a summary is due. */
  unsummarised: StoredTurn[];
}

// As the service's context writes it, so the emulator reads the block the same way.
const summaryHeader = '[これまでの会話の要約]';

export function emptyCopy(stored: StoredMeta): FloorCopy {
  return { stored, turns: [], firstTurns: [], summary: null };
}

/**
 * The copy when it may be served: same nextIdx and summary as META, and every signature good
 * (Redis is trusted no more than DynamoDB); null for anything else, which costs a store read.
 */
export function usableCopy(text: string | null, stored: StoredMeta, signer: TurnSigner): FloorCopy | null {
  if (text === null) return null;
  let copy: FloorCopy;
  try {
    copy = JSON.parse(text) as FloorCopy;
  } catch {
    return null;
  }
  if (copy.stored?.meta?.nextIdx !== stored.meta.nextIdx || copy.stored.summaryThroughIdx !== stored.summaryThroughIdx) return null;
  if (!Array.isArray(copy.turns) || !Array.isArray(copy.firstTurns)) return null;
  if (partitionVerified(signer, [...copy.firstTurns, ...copy.turns]).forged.length > 0) return null;
  if (copy.summary && !signer.verify(summaryPayload(copy.summary), copy.summary.sig)) return null;
  return { ...copy, stored };
}

export function floorWindow(copy: FloorCopy, maxRecentTurns: number): FloorWindow {
  const firstIdx = new Set(copy.firstTurns.map((turn) => turn.idx));
  const history = copy.turns.filter((turn) => !firstIdx.has(turn.idx));
  const start = Math.max(0, history.length - maxRecentTurns);
  const through = copy.stored.summaryThroughIdx;
  return {
    turns: [...copy.firstTurns, ...history.slice(start)],
    unsummarised: history.slice(0, start).filter((turn) => turn.idx > through),
  };
}

/** The InvokeModel body (Anthropic messages on Bedrock): system prompt, the window, then the summary and the question. */
export function modelBody(window: FloorWindow, summary: StoredSummary | null, question: string, maxTokens: number): string {
  const memory = summary ? [summaryHeader, summary.text, `エンティティ: ${JSON.stringify(summary.entities)}`].join('\n') : '';
  const asked = [memory, `${questionMarker} ${question}`].filter((block) => block.length > 0).join('\n\n');
  return JSON.stringify({
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: maxTokens,
    system: systemPrompt,
    messages: [...window.turns.map((turn) => ({ role: turn.role, content: turn.content })), { role: 'user', content: asked }],
  });
}

/** The copy after an exchange committed: the version META now has, the two turns appended, at most `capacity` kept. */
export function copyAfterExchange(copy: FloorCopy, exchange: [StoredTurn, StoredTurn], capacity: number): FloorCopy {
  const [user, assistant] = exchange;
  const { meta } = copy.stored;
  return {
    ...copy,
    stored: { ...copy.stored, meta: { ...meta, nextIdx: meta.nextIdx + 2, turnCount: meta.turnCount + 1, updatedAt: assistant.ts } },
    turns: [...copy.turns, user, assistant].slice(-capacity),
    firstTurns: copy.firstTurns.length > 0 ? copy.firstTurns : [user, assistant],
  };
}

export function copyWithSummary(copy: FloorCopy, summary: StoredSummary): FloorCopy {
  return { ...copy, stored: { ...copy.stored, summaryThroughIdx: summary.throughIdx }, summary };
}
