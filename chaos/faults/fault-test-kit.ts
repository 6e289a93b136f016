import type { FaultTargets } from './fault.js';

const unreachable = 'http://127.0.0.1:9';

/** FaultTargets for a test: what the test started, and addresses nothing answers on for the rest. */
export function testTargets(parts: Partial<FaultTargets> = {}): FaultTargets {
  return {
    toxiproxyApi: unreachable,
    proxies: {},
    redisUrl: 'redis://127.0.0.1:9',
    bedrockAdmin: `${unreachable}/_admin`,
    listWorkers: () => Promise.resolve([]),
    ...parts,
  };
}
