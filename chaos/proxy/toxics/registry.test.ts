import { describe, expect, it } from 'vitest';
import { toxicKinds } from './registry.js';

describe('toxic registry', () => {
  it("offers Toxiproxy's toxics plus nat_idle, each under its API name", () => {
    expect([...toxicKinds.keys()].sort()).toEqual([
      'bandwidth', 'latency', 'limit_data', 'nat_idle', 'noop', 'reset_peer', 'slicer', 'slow_close', 'timeout',
    ]);
    for (const [type, kind] of toxicKinds) expect(kind.type).toBe(type);
  });

  it('has defaults every kind accepts, except slicer, whose zero defaults the real server hangs on', () => {
    for (const kind of toxicKinds.values()) {
      if (kind.type === 'slicer') expect(() => kind.validate(kind.defaults)).toThrow();
      else expect(() => kind.validate(kind.defaults)).not.toThrow();
    }
  });
});
