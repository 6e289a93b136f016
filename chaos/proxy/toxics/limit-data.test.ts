import { describe, expect, it } from 'vitest';
import { ToxicAttributeError } from '../toxic.js';
import { limitDataToxic } from './limit-data.js';
import { buildStage, eventKinds } from './stage-test-kit.js';

describe('limit_data stage', () => {
  it('forwards exactly the limit, ends, and drops the rest', () => {
    const link = buildStage(limitDataToxic, { bytes: 7 });
    link.write('hello');
    link.write('world');
    link.write('more');
    expect(link.output()).toBe('hellowo');
    expect(eventKinds(link.events)).toEqual(['write', 'write', 'end']);
    expect(link.droppedBytes()).toBe(7);
  });

  it('ends as soon as a chunk reaches the limit exactly', () => {
    const link = buildStage(limitDataToxic, { bytes: 5 });
    link.write('hello');
    expect(eventKinds(link.events)).toEqual(['write', 'end']);
  });

  it('with 0 bytes ends on the first data, not before', () => {
    const link = buildStage(limitDataToxic, { bytes: 0 });
    expect(link.events).toEqual([]);
    link.write('x');
    expect(eventKinds(link.events)).toEqual(['end']);
  });

  it('keeps its count across an update', () => {
    const link = buildStage(limitDataToxic, { bytes: 100 });
    link.write('abcdef');
    link.update({ bytes: 8 });
    link.write('ghijkl');
    expect(link.output()).toBe('abcdefgh');
  });

  it('passes the end once', () => {
    const link = buildStage(limitDataToxic, { bytes: 3 });
    link.write('abc');
    link.stage.end();
    expect(eventKinds(link.events)).toEqual(['write', 'end']);
  });

  it('rejects a negative limit', () => {
    expect(() => limitDataToxic.validate({ bytes: -1 })).toThrow(ToxicAttributeError);
    expect(limitDataToxic.defaults).toEqual({ bytes: 0 });
  });
});
