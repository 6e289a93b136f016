import type { Fault, FaultObservation } from './fault.js';

export interface FaultSteps {
  description: string;
  /** Runs at most once. */
  apply(signal: AbortSignal): Promise<FaultObservation>;
  /** Runs only after apply was called and settled (even if it failed part way): undoes what it did. */
  revert(): Promise<FaultObservation>;
}

/**
 * Wraps a fault's two steps with the contract every fault promises: revert is safe before,
 * during (it waits for apply to settle) and after apply, and idempotent (a successful revert
 * is remembered; a failed one may be retried).
 */
export function lifecycleFault(steps: FaultSteps): Fault {
  let applying: Promise<FaultObservation> | null = null;
  let reverting: Promise<FaultObservation> | null = null;
  let reverted: FaultObservation | null = null;
  return {
    description: steps.description,
    apply(signal) {
      if (applying) return Promise.reject(new Error(`"${steps.description}" was already applied; create a new fault to apply it again`));
      applying = steps.apply(signal);
      return applying;
    },
    revert() {
      if (!applying) return Promise.resolve({ applied: false });
      if (reverted) return Promise.resolve({ ...reverted });
      const inFlight = applying;
      reverting ??= (async () => {
        try {
          await inFlight.catch(() => undefined);
          reverted = await steps.revert();
          return { ...reverted };
        } finally {
          reverting = null;
        }
      })();
      return reverting;
    },
  };
}
