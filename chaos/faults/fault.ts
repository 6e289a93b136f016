/**
 * The seam every fault injector implements (chaos-design brief): apply puts a fault in
 * effect, revert puts everything back. The CLI, the experiment runner and scenarios drive
 * faults only through these types.
 */
export type FaultObservation = Record<string, number | string | boolean | null>;

export interface Fault {
  /** e.g. "network carrier nat_idle idle_ms=3000" — what the journal and the output show. */
  readonly description: string;
  /** Puts the fault in effect; resolves when it is. Faults that act over time (a kill rate)
   *  keep acting until `signal` aborts or revert() is called. */
  apply(signal: AbortSignal): Promise<FaultObservation>;
  /** Puts everything back. Idempotent, safe before/after/without apply. A revert that
   *  cannot complete throws FaultRevertError (loud, names what is left broken). */
  revert(): Promise<FaultObservation>;
}

export interface FaultTargets {
  toxiproxyApi: string;                      // http://127.0.0.1:PORT (ours or a real Toxiproxy)
  proxies: Record<string, { listen: string; upstream: string }>;  // carrier, redis, dynamodb, bedrock
  redisUrl: string;                          // the real redis-server (not the proxy), for CONFIG/INFO
  bedrockAdmin: string;                      // the emulator's admin API base URL
  listWorkers(): Promise<number[]>;          // live fleet worker pids
}

export interface FaultOptionSpec {
  name: string;
  kind: 'string' | 'integer' | 'number' | 'duration' | 'size' | 'choice' | 'boolean';
  description: string;
  default?: string | number | boolean;
  choices?: readonly string[];
}

export interface FaultDefinition {
  name: string;            // CLI name: network, nat-drop, task-kill, redis-eviction, bedrock, dynamodb-slow
  summary: string;         // one line for `gameday chaos list`
  options: FaultOptionSpec[];
  create(options: Record<string, string | number | boolean>, targets: FaultTargets): Fault;  // throws FaultOptionError on bad options
}

/** A revert that could not put everything back; the message says what is still broken. */
export class FaultRevertError extends Error {
  readonly fault: string;
  readonly leftBroken: string[];

  constructor(fault: string, leftBroken: string[], options?: { cause?: unknown }) {
    super(`revert of "${fault}" FAILED; still broken: ${leftBroken.join('; ')}`, options);
    this.name = 'FaultRevertError';
    this.fault = fault;
    this.leftBroken = leftBroken;
  }
}

/** A fault option with a bad value (or one the fault does not know); `option` names it. */
export class FaultOptionError extends Error {
  readonly option: string;

  constructor(option: string, message: string) {
    super(message);
    this.name = 'FaultOptionError';
    this.option = option;
  }
}
