import { bedrockFault } from './bedrock.js';
import { dynamodbSlowFault } from './dynamodb-slow.js';
import type { FaultDefinition } from './fault.js';
import { natDropFault } from './nat-drop.js';
import { networkFault } from './network.js';
import { redisEvictionFault } from './redis-eviction.js';
import { taskKillFault } from './task-kill.js';

/** Every fault `gameday chaos` and experiments can inject, by CLI name. */
export const faultDefinitions: readonly FaultDefinition[] = [
  networkFault, natDropFault, dynamodbSlowFault, taskKillFault, redisEvictionFault, bedrockFault,
];

export function findFaultDefinition(name: string): FaultDefinition | undefined {
  return faultDefinitions.find((definition) => definition.name === name);
}
