/**
 * A dependency check shared by every /readyz call for `ttlMs`: a probe storm then costs one
 * check per window per worker instead of one per probe. Concurrent callers share the check in
 * flight, and its verdict (pass or fail) is kept for `ttlMs` after it settles, so a verdict is
 * at most `ttlMs` plus one check's duration stale. Draining is not cached here: the route asks
 * it first on every call.
 */
export type ReadinessCheck = () => Promise<void>;

export function cachedReadinessCheck(check: ReadinessCheck, options: { ttlMs: number; now?: () => number }): ReadinessCheck {
  const now = options.now ?? Date.now;
  let verdict: { promise: Promise<void>; settledAt: number | undefined } | undefined;
  return () => {
    if (verdict !== undefined && (verdict.settledAt === undefined || now() - verdict.settledAt < options.ttlMs)) return verdict.promise;
    const current: { promise: Promise<void>; settledAt: number | undefined } = { promise: check(), settledAt: undefined };
    const settle = () => { current.settledAt = now(); };
    current.promise.then(settle, settle);
    verdict = current;
    return current.promise;
  };
}
