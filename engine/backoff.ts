export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

/**
 * The wait before try `attempt` (1-based): base doubling up to max, with "equal jitter" (half
 * fixed, half drawn) from the seeded random, so clients cut at once do not return in lockstep
 * and a run replays exactly.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + (ceiling / 2) * random();
}
