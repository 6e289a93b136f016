import { describe } from 'vitest';
import { proveIncidents, useProofLanes } from './proof-test-kit.js';

// The product's core promise, at each incident's quick scale on real stacks: hardened passes, the bug fails the gate.
const lanes = useProofLanes();

describe('the gates can fail: long-session and task-kill', () => {
  proveIncidents(lanes, ['long-session', 'task-kill']);
});
