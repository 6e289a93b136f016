import { describe } from 'vitest';
import { proveIncidents, useProofLanes } from './proof-test-kit.js';

// The product's core promise, at each incident's quick scale on real stacks: hardened passes, the bug fails the gate.
const lanes = useProofLanes();

describe('the gates can fail: flash-sale and redis-eviction', () => {
  proveIncidents(lanes, ['flash-sale', 'redis-eviction']);
});
