import { type Fault, type FaultObservation, FaultRevertError } from './fault.js';
import { lifecycleFault } from './lifecycle.js';

function prefixed(index: number, observation: FaultObservation): FaultObservation {
  return Object.fromEntries(Object.entries(observation).map(([key, value]) => [`${index + 1}.${key}`, value]));
}

/** Several faults as one: applied in order, reverted in reverse, every part reverted even when another fails. */
export function compositeFault(description: string, parts: Fault[]): Fault {
  const applied: Fault[] = [];
  return lifecycleFault({
    description,
    async apply(signal) {
      const observation: FaultObservation = {};
      for (const [index, part] of parts.entries()) {
        applied.push(part);
        Object.assign(observation, prefixed(index, await part.apply(signal)));
      }
      return observation;
    },
    async revert() {
      const observation: FaultObservation = {};
      const broken: string[] = [];
      for (const part of [...applied].reverse()) {
        try {
          Object.assign(observation, prefixed(parts.indexOf(part), await part.revert()));
        } catch (error) {
          broken.push(...(error instanceof FaultRevertError ? error.leftBroken : [`${part.description}: ${(error as Error).message}`]));
        }
      }
      if (broken.length > 0) throw new FaultRevertError(description, broken);
      return observation;
    },
  });
}
