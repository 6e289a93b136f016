import { describe } from 'vitest';
import { proveIncidents, useProofLanes } from './proof-test-kit.js';

// The product's core promise, at the incident's quick scale on real stacks: hardened passes, the bug fails the gate.
// A file of its own: at the model's real speed each run takes minutes, so it queues behind no other incident.
const lanes = useProofLanes();

describe('the gates can fail: long-session-realtime', () => {
  proveIncidents(lanes, ['long-session-realtime']);
});
