import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ToxicAttributeError } from '../toxic.js';
import { resetPeerToxic } from './reset-peer.js';
import { buildStage, eventKinds, validateAsSent } from './stage-test-kit.js';

describe('reset_peer stage', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('leaves an idle connection alone', () => {
    const link = buildStage(resetPeerToxic, { timeout: 100 });
    vi.advanceTimersByTime(10_000);
    expect(link.events).toEqual([]);
  });

  it('resets `timeout` ms after the first data, dropping it and all after it', () => {
    const link = buildStage(resetPeerToxic, { timeout: 500 });
    link.write('first');
    vi.advanceTimersByTime(300);
    link.write('second');
    vi.advanceTimersByTime(199);
    expect(link.events).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(eventKinds(link.events)).toEqual(['reset']);
    expect(link.droppedBytes()).toBe(11);
  });

  it('closes with FIN instead when it was added to a live connection', () => {
    const link = buildStage(resetPeerToxic, { timeout: 0 }, { addedToLiveConnection: true });
    link.write('x');
    vi.advanceTimersByTime(0);
    expect(eventKinds(link.events)).toEqual(['close']);
  });

  it('counts the end of the stream as the first data', () => {
    const link = buildStage(resetPeerToxic, { timeout: 50 });
    link.stage.end();
    vi.advanceTimersByTime(50);
    expect(eventKinds(link.events)).toEqual(['reset']);
  });

  it('resets at once when removed mid-wait, and not at all when removed before data', () => {
    const waiting = buildStage(resetPeerToxic, { timeout: 5000 });
    waiting.write('x');
    waiting.stage.remove();
    expect(eventKinds(waiting.events)).toEqual(['reset']);
    const idle = buildStage(resetPeerToxic, { timeout: 5000 });
    idle.stage.remove();
    vi.advanceTimersByTime(10_000);
    expect(idle.events).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects a negative timeout', () => {
    expect(() => resetPeerToxic.validate({ timeout: -1 })).toThrow(ToxicAttributeError);
    expect(() => validateAsSent(resetPeerToxic, { timeout: 'soon' })).toThrow(/ResetToxic\.attributes\.timeout of type int64/);
    expect(resetPeerToxic.defaults).toEqual({ timeout: 0 });
  });
});
