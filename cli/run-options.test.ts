import { describe, expect, it } from 'vitest';
import { parseFlags } from './args.js';
import { loadCliConfig } from './config.js';
import { runHelp } from './help.js';
import { runFlags, runRequestFromArgs } from './run-options.js';

const request = (args: string[]) => runRequestFromArgs(parseFlags(args, runFlags), loadCliConfig({}, false));
const ids = (list: ReadonlyArray<{ id: string }>) => list.map((incident) => incident.id);

describe('gameday run options: incidents with faults and --target', () => {
  it('runs every incident on the embedded stack', () => {
    const all = request(['all']);
    expect(ids(all.incidents)).toHaveLength(8);
    expect(all.leftOut).toEqual([]);
  });

  it('all against a --target leaves out the incidents whose faults need the stack gameday starts, and says why', () => {
    const all = request(['all', '--target', 'http://127.0.0.1:8080']);
    expect(ids(all.incidents)).toEqual(['steady-1m-day', 'long-session', 'long-session-realtime', 'jp-emoji']);
    expect(all.leftOut.map((left) => left.incident.id)).toEqual(['flash-sale', 'carrier-nat', 'task-kill', 'redis-eviction']);
    expect(all.leftOut.find((left) => left.incident.id === 'carrier-nat')?.reason).toBe(
      'its faults (nat-drop) need the stack gameday starts; --skip-faults runs its load anyway');
  });

  it('--skip-faults keeps them, to run their load while someone else injects the faults', () => {
    const all = request(['all', '--target', 'http://127.0.0.1:8080', '--skip-faults']);
    expect(ids(all.incidents)).toHaveLength(8);
    expect(all).toMatchObject({ skipFaults: true, leftOut: [] });
  });

  it('one incident with faults against a --target is a usage error naming what runs there', () => {
    expect(() => request(['redis-eviction', '--target', 'http://127.0.0.1:8080'])).toThrow(
      /redis-eviction injects faults \(redis-eviction\) into the stack gameday starts/);
    expect(ids(request(['jp-emoji', '--target', 'http://127.0.0.1:8080']).incidents)).toEqual(['jp-emoji']);
  });
});

describe('gameday run --suite', () => {
  it('is quick unless asked, nightly when asked, and names its choices when the value is wrong', () => {
    expect(request(['all']).suite).toBe('quick');
    expect(request(['all', '--suite', 'nightly'])).toMatchObject({ suite: 'nightly', scale: null, durationMs: null });
    expect(request(['long-session-realtime', '--suite', 'nightly', '--scale', '0.5'])).toMatchObject({ suite: 'nightly', scale: 0.5 });
    expect(() => request(['all', '--suite', 'weekly'])).toThrow('--suite must be one of quick, nightly, not "weekly"');
  });

  it('is in gameday run --help, with every other flag', () => {
    for (const flag of Object.keys(runFlags)) expect(runHelp, flag).toContain(`--${flag}`);
    expect(runHelp).toContain('--suite quick|nightly');
  });
});
