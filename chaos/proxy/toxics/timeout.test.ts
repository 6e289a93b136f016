import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ToxicAttributeError } from '../toxic.js';
import { buildStage, eventKinds } from './stage-test-kit.js';
import { timeoutToxic } from './timeout.js';

describe('timeout stage', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('drops data, counts it, and closes after the timeout', () => {
    const link = buildStage(timeoutToxic, { timeout: 1000 });
    link.write('hello');
    expect(link.droppedBytes()).toBe(5);
    vi.advanceTimersByTime(999);
    expect(link.events).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(eventKinds(link.events)).toEqual(['close']);
  });

  it('restarts the timer on every chunk in its direction', () => {
    const link = buildStage(timeoutToxic, { timeout: 1000 });
    for (let step = 0; step < 5; step += 1) {
      vi.advanceTimersByTime(800);
      link.write('x');
    }
    expect(link.events).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(eventKinds(link.events)).toEqual(['close']);
  });

  it('never closes with timeout 0 (a black hole)', () => {
    const link = buildStage(timeoutToxic, { timeout: 0 });
    link.write('x');
    vi.advanceTimersByTime(60_000);
    expect(link.events).toEqual([]);
    expect(link.droppedBytes()).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('closes the held connection cleanly when removed', () => {
    const link = buildStage(timeoutToxic, { timeout: 0 });
    link.write('x');
    link.stage.remove();
    expect(eventKinds(link.events)).toEqual(['close']);
  });

  it('restarts with the new timeout on update', () => {
    const link = buildStage(timeoutToxic, { timeout: 10_000 });
    vi.advanceTimersByTime(500);
    link.update({ timeout: 200 });
    vi.advanceTimersByTime(200);
    expect(eventKinds(link.events)).toEqual(['close']);
  });

  it('passes the end on and releases its timer', () => {
    const link = buildStage(timeoutToxic, { timeout: 1000 });
    link.stage.end();
    expect(eventKinds(link.events)).toEqual(['end']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects a negative timeout', () => {
    expect(() => timeoutToxic.validate({ timeout: -1 })).toThrow(ToxicAttributeError);
    expect(timeoutToxic.defaults).toEqual({ timeout: 0 });
  });
});
