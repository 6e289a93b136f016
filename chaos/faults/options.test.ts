import { describe, expect, it } from 'vitest';
import { faultDefinitions, findFaultDefinition } from './catalogue.js';
import { FaultOptionError } from './fault.js';
import { testTargets } from './fault-test-kit.js';
import { FaultOptions, parseAttributes } from './options.js';

const specs = findFaultDefinition('redis-eviction')?.options ?? [];

function optionError(create: () => unknown): FaultOptionError {
  try {
    create();
  } catch (error) {
    if (error instanceof FaultOptionError) return error;
    throw error;
  }
  throw new Error('no FaultOptionError was thrown');
}

describe('fault options', () => {
  it('fill defaults and convert CLI strings and typed values alike: sizes to bytes, durations to ms', () => {
    const fromCli = new FaultOptions('redis-eviction', specs, { maxmemory: '2mb', fill: 'false', 'value-size': '1k' });
    expect(fromCli.number('maxmemory')).toBe(2 * 1024 * 1024);
    expect(fromCli.boolean('fill')).toBe(false);
    expect(fromCli.number('value-size')).toBe(1000);
    expect(fromCli.number('fill-limit')).toBe(64 * 1024 * 1024);
    expect(fromCli.string('policy')).toBe('allkeys-lru');
    const fromCode = new FaultOptions('redis-eviction', specs, { maxmemory: 3_000_000, fill: true });
    expect(fromCode.number('maxmemory')).toBe(3_000_000);
    const natDrop = findFaultDefinition('nat-drop');
    expect(new FaultOptions('nat-drop', natDrop?.options ?? [], { idle: '1.5s' }).number('idle')).toBe(1500);
  });

  it('name the option in every refusal: unknown name, bad value, out of range', () => {
    expect(optionError(() => new FaultOptions('redis-eviction', specs, { maxmem: '1mb' }))).toMatchObject({ option: 'maxmem' });
    expect(optionError(() => new FaultOptions('redis-eviction', specs, { policy: 'lru' })).message).toContain('one of noeviction');
    expect(optionError(() => new FaultOptions('redis-eviction', specs, { maxmemory: 'lots' })).option).toBe('maxmemory');
    const tooSmall = optionError(() => findFaultDefinition('redis-eviction')?.create({ maxmemory: '1kb' }, testTargets()));
    expect(tooSmall.option).toBe('maxmemory');
    expect(optionError(() => findFaultDefinition('task-kill')?.create({ percent: 150 }, testTargets())).option).toBe('percent');
    expect(optionError(() => findFaultDefinition('nat-drop')?.create({ idle: '30' }, testTargets({ proxies: { carrier: { listen: '', upstream: '' } } }))).option).toBe('idle');
  });

  it('network refuses a proxy the stack does not have, listing the ones it has', () => {
    const targets = testTargets({ proxies: { carrier: { listen: '127.0.0.1:1', upstream: '127.0.0.1:2' } } });
    const error = optionError(() => findFaultDefinition('network')?.create({ type: 'latency', proxy: 'kafka' }, targets));
    expect(error.option).toBe('proxy');
    expect(error.message).toContain('it has carrier');
    expect(optionError(() => findFaultDefinition('network')?.create({}, targets)).option).toBe('type');
  });

  it('bedrock needs at least one effect', () => {
    expect(optionError(() => findFaultDefinition('bedrock')?.create({ models: 'haiku' }, testTargets())).message).toContain('another effect is needed');
  });

  it('parse toxic attributes as integers where they are numbers', () => {
    expect(parseAttributes('latency=1000, jitter=50,mode=reset', 'attributes', 'network')).toEqual({ latency: 1000, jitter: 50, mode: 'reset' });
    expect(optionError(() => parseAttributes('latency', 'attributes', 'network')).option).toBe('attributes');
  });

  it('the catalogue holds each fault once, each with a summary and described options', () => {
    const names = faultDefinitions.map((definition) => definition.name);
    expect(names).toEqual(['network', 'nat-drop', 'dynamodb-slow', 'task-kill', 'redis-eviction', 'bedrock']);
    for (const definition of faultDefinitions) {
      expect(definition.summary.length).toBeGreaterThan(10);
      for (const option of definition.options) expect(option.description.length, `${definition.name} --${option.name}`).toBeGreaterThan(5);
    }
  });
});
