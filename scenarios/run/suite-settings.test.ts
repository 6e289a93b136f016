import { describe, expect, it } from 'vitest';
import type { Incident } from '../incident.js';
import { incidents } from '../index.js';
import { nightlyDurationFactor, suiteSettings } from './suite-settings.js';

const get = (id: Incident['id']) => incidents.get(id) as Incident;
const lane = get('long-session-realtime');
// An incident as the suite sees it: only what it reads.
const bare = (nightly?: Incident['nightly']): Incident => ({ ...get('jp-emoji'), ...(nightly ? { nightly } : {}) });

describe('the suite settings of an incident', () => {
  it('quick: the incident\'s quick scale, own duration and default shape, no leak gate', () => {
    for (const incident of incidents.values()) {
      expect(suiteSettings(incident, 'quick')).toEqual({
        scale: incident.quickScale, durationMs: incident.defaultDurationMs, shape: incident.shapes ? Object.keys(incident.shapes)[0] : undefined, leakGate: false,
      });
    }
    expect(suiteSettings(lane, 'quick').shape).toBe('20-turn');
  });

  it('nightly by default: the quick scale held ten times as long, the default shape, and the leak gate', () => {
    const jp = bare();
    expect(jp.nightly).toBeUndefined();
    expect(suiteSettings(jp, 'nightly')).toEqual({ scale: jp.quickScale, durationMs: jp.defaultDurationMs * nightlyDurationFactor, shape: undefined, leakGate: true });
    expect(nightlyDurationFactor).toBe(10);
  });

  it('nightly: what the incident names for its night (long-session-realtime: its full 60-turn sessions)', () => {
    expect(suiteSettings(lane, 'nightly')).toEqual({ scale: lane.quickScale, durationMs: lane.defaultDurationMs * 10, shape: '60-turn', leakGate: true });
    expect(suiteSettings(bare({ scale: 2, durationMs: 1_800_000 }), 'nightly')).toMatchObject({ scale: 2, durationMs: 1_800_000 });
    expect(suiteSettings(bare({ durationMs: 90_000 }), 'nightly')).toMatchObject({ scale: get('jp-emoji').quickScale, durationMs: 90_000 });
  });

  it('the command line\'s --scale, --duration and --shape win over either suite; null leaves the suite\'s choice', () => {
    expect(suiteSettings(lane, 'nightly', { scale: 0.3, durationMs: 20_000, shape: '20-turn' }))
      .toEqual({ scale: 0.3, durationMs: 20_000, shape: '20-turn', leakGate: true });
    expect(suiteSettings(lane, 'quick', { shape: '60-turn' })).toMatchObject({ shape: '60-turn', leakGate: false });
    expect(suiteSettings(lane, 'nightly', { scale: null, durationMs: null, shape: null })).toEqual(suiteSettings(lane, 'nightly'));
  });
});
