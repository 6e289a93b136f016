import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ToxicAttributeError } from '../toxic.js';
import { slowCloseToxic } from './slow-close.js';
import { buildStage, eventKinds } from './stage-test-kit.js';

describe('slow_close stage', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes data at once and holds the end for the delay', () => {
    const link = buildStage(slowCloseToxic, { delay: 500 });
    link.write('a');
    expect(link.output()).toBe('a');
    link.stage.end();
    vi.advanceTimersByTime(499);
    expect(eventKinds(link.events)).toEqual(['write']);
    vi.advanceTimersByTime(1);
    expect(eventKinds(link.events)).toEqual(['write', 'end']);
  });

  it('measures an updated delay from when the end arrived', () => {
    const link = buildStage(slowCloseToxic, { delay: 5000 });
    link.stage.end();
    vi.advanceTimersByTime(100);
    link.update({ delay: 300 });
    vi.advanceTimersByTime(199);
    expect(link.events).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(eventKinds(link.events)).toEqual(['end']);
  });

  it('ends at once when removed while holding the end', () => {
    const link = buildStage(slowCloseToxic, { delay: 5000 });
    link.stage.end();
    link.stage.remove();
    expect(eventKinds(link.events)).toEqual(['end']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never ends once destroyed', () => {
    const link = buildStage(slowCloseToxic, { delay: 100 });
    link.stage.end();
    link.stage.destroy();
    vi.advanceTimersByTime(1000);
    expect(link.events).toEqual([]);
  });

  it('rejects a negative delay', () => {
    expect(() => slowCloseToxic.validate({ delay: -5 })).toThrow(ToxicAttributeError);
    expect(slowCloseToxic.defaults).toEqual({ delay: 0 });
  });
});
