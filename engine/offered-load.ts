/**
 * The load a plan offers, known before a single message is sent: session arrivals are open-model,
 * and each session's turns follow its think times. A turn is offered at its session's scheduled
 * arrival plus the think times before it, as if every answer took no time; on a plateau (steady
 * state, past one session length) answers that take time shift every session's turns alike and
 * the rate is the same, so offered and achieved compare there. Pure (k6 bundles it too).
 */
import { hashString, seededRandom } from '../stack/random.ts';
import { arrivalTimes, type LoadShape } from './arrivals.ts';
import type { SessionFactory } from './session-plan.ts';

/** Per session, so a session's draws do not depend on how the others interleave with it (both engines). */
export function sessionRandom(seed: number, index: number, stream: string): () => number {
  return seededRandom(hashString(`${seed}:${index}:${stream}`));
}

/** When the plan sends each message, in ms from the start, session by session. */
function* offeredTimes(shape: LoadShape, sessions: SessionFactory, seed: number): Generator<number> {
  let index = 0;
  for (const arrivalMs of arrivalTimes(shape.arrivals)) {
    let at = arrivalMs;
    for (const turn of sessions(index, sessionRandom(seed, index, 'plan')).turns) {
      at += turn.thinkBeforeMs;
      yield at;
    }
    index += 1;
  }
}

/** The messages a plan schedules in each window from the start (index 0 is [0, windowMs)). */
export function offeredMessagesPerWindow(shape: LoadShape, sessions: SessionFactory, seed: number, windowMs: number): number[] {
  if (!Number.isInteger(windowMs) || windowMs <= 0) throw new Error(`windowMs must be a positive whole number of ms, not ${windowMs}`);
  const windows: number[] = [];
  for (const at of offeredTimes(shape, sessions, seed)) {
    const window = Math.floor(at / windowMs);
    while (windows.length <= window) windows.push(0);
    windows[window] = (windows[window] as number) + 1;
  }
  return windows;
}

/** The messages a plan schedules in [fromMs, toMs). */
export function offeredMessagesBetween(shape: LoadShape, sessions: SessionFactory, seed: number, fromMs: number, toMs: number): number {
  let count = 0;
  for (const at of offeredTimes(shape, sessions, seed)) if (at >= fromMs && at < toMs) count += 1;
  return count;
}

/** The windows wholly inside a plateau [fromMs, toMs), as indexes of windowMs-long windows. */
export function plateauWindows(plateau: { fromMs: number; toMs: number }, windowMs: number): { first: number; last: number } | null {
  const first = Math.ceil(plateau.fromMs / windowMs);
  const last = Math.floor(plateau.toMs / windowMs) - 1;
  return last >= first ? { first, last } : null;
}
