/** Small seeded helpers the session factories share. */

/** One of `items`, drawn from `random`. */
export function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** A whole number of milliseconds from min to max. */
export function between(random: () => number, minMs: number, maxMs: number): number {
  return Math.round(minMs + (maxMs - minMs) * random());
}

/** A customer id per incident and session, stable across runs so a replay asks as the same people. */
export function customerIdFor(incident: string, index: number): string {
  return `gameday-${incident}-${index}`;
}
