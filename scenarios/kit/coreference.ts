/**
 * Seed 000 s3 and seed 002's symptom, checked from the client's side: after a numbered list of
 * titles, "2番目のやつ" must be answered about the title the client saw second, not with the
 * emulator's "I don't know which one" and not about another title.
 */
import type { TurnPlan } from '../../engine/session-plan.ts';

/** What the emulator says when it cannot tell which title a reference means. */
export const unresolvedReply = 'すみません、どの作品のことか分かりません。';

// "1. 『A』（…）": the emulator's list lines (stack/bedrock/responder.ts recommendationReply).
const listLine = /^\s*([0-9]{1,2})\s?[.．)）]\s{0,3}『([^『』\n]{1,80})』/;

/** The titles of the last numbered list in a reply, in list order; undefined when it has none. */
export function numberedTitles(reply: string): string[] | undefined {
  let current: string[] | undefined;
  let latest: string[] | undefined;
  for (const line of reply.split('\n')) {
    const match = listLine.exec(line);
    if (!match) continue;
    const number = Number(match[1]);
    const title = match[2] as string;
    if (number === 1) {
      current = [title];
      latest = current;
    } else if (current && number === current.length + 1) {
      current.push(title);
    }
  }
  return latest;
}

/** The newest list among the replies the client has had. */
export function lastListSeen(replies: readonly string[]): string[] | undefined {
  for (let i = replies.length - 1; i >= 0; i -= 1) {
    const list = numberedTitles(replies[i] ?? '');
    if (list) return list;
  }
  return undefined;
}

/**
 * A checkReply for a question about the title at `position` of the last list the client saw:
 * null when the reply names it, else the reason. Without a list seen (its turn failed) there is
 * nothing to check against, which is not a miss.
 */
export function expectTitleAt(position: number): NonNullable<TurnPlan['checkReply']> {
  return (reply, seen) => {
    const list = lastListSeen(seen.previousReplies);
    const expected = list?.[position - 1];
    if (expected === undefined) return null;
    if (reply.includes(`『${expected}』`)) return null;
    const said = reply.slice(0, 60).replace(/\n/g, ' ');
    return reply.includes(unresolvedReply)
      ? `asked about list item ${position} 『${expected}』, the model no longer knew the list: "${said}"`
      : `asked about list item ${position} 『${expected}』, the reply is about something else: "${said}"`;
  };
}
