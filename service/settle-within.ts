/**
 * `work`'s outcome, or, once `ms` pass first, what `late()` gives (a value, or its throw); the
 * timer never outlives the race. The one deadline race of the service's hot path: a Redis
 * command, a response-cache read, a summary still being made.
 */
export function settleWithin<T, L>(work: Promise<T>, ms: number, late: () => L): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<L>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(late());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
