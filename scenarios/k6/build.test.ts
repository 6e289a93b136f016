import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { parse } from 'acorn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidents } from '../index.js';
import { k6Options } from './lib/k6-options.js';
import { settingsFromEnv } from './lib/settings.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
let outdir = '';

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'gameday-k6-build-'));
  execFileSync(process.execPath, [join(root, 'scripts', 'build-k6.mjs'), '--outdir', outdir], { cwd: root, stdio: 'pipe', timeout: 60_000 });
}, 90_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

/** Every require('…') of an AST, and whether some require is not called with a plain string. */
function requiresIn(node: unknown, found: { modules: Set<string>; dynamic: number }): void {
  if (Array.isArray(node)) {
    for (const child of node) requiresIn(child, found);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const candidate = node as { type?: string; callee?: { type?: string; name?: string }; arguments?: Array<{ type?: string; value?: unknown }> };
  if (candidate.type === 'CallExpression' && candidate.callee?.type === 'Identifier' && candidate.callee.name === 'require') {
    const argument = candidate.arguments?.[0];
    if (argument?.type === 'Literal' && typeof argument.value === 'string') found.modules.add(argument.value);
    else found.dynamic += 1;
  }
  for (const [key, value] of Object.entries(node)) if (key !== 'type') requiresIn(value, found);
}

/** The k6 modules a bundle gets at init, as inert stand-ins: enough to run its init code in Node. */
function k6Stubs(): Record<string, unknown> {
  class Metric { add(): void {} }
  return {
    'k6/metrics': { Trend: Metric, Rate: Metric, Counter: Metric, Gauge: Metric },
    'k6/http': { get: () => ({ status: 200 }), post: () => ({ status: 201 }) },
    'k6/execution': { scenario: { iterationInTest: 0 }, test: { abort: () => undefined } },
    'k6/experimental/websockets': { WebSocket: class {} },
    'k6/timers': { setTimeout: () => 0, clearTimeout: () => undefined },
  };
}

describe('npm run build:k6', () => {
  for (const incident of incidents.values()) {
    describe(incident.id, () => {
      const bundle = () => readFileSync(join(outdir, `${incident.id}.js`), 'utf8');

      it('is one CommonJS script in ES2020 that requires only k6 modules', () => {
        const ast = parse(bundle(), { ecmaVersion: 2020, sourceType: 'script' });
        const found = { modules: new Set<string>(), dynamic: 0 };
        requiresIn(ast, found);
        expect(found.dynamic).toBe(0);
        expect([...found.modules].sort()).toEqual(['k6/execution', 'k6/experimental/timers', 'k6/experimental/websockets', 'k6/http', 'k6/metrics', 'k6/timers']);
      });

      it('exports options (the incident\'s scenario and thresholds), setup, the session and handleSummary', () => {
        const stubs = k6Stubs();
        const module = { exports: {} as Record<string, unknown> };
        const env = { BASE_URL: 'http://127.0.0.1:9', SCALE: '0.5', DURATION: '10s', SUMMARY_PATH: 'out.json' };
        const context = createContext({
          module, exports: module.exports, __ENV: env, console,
          require: (name: string) => {
            if (!(name in stubs)) throw new Error(`unknown module ${name}`);
            return stubs[name];
          },
        });
        runInContext(bundle(), context, { timeout: 10_000 });
        const exported = module.exports;
        const expected = k6Options(incident, settingsFromEnv(incident, env));
        // Through JSON: the objects come from another realm.
        expect(JSON.parse(JSON.stringify(exported.options))).toEqual(JSON.parse(JSON.stringify(expected)));
        expect(Object.keys((exported.options as { scenarios: object }).scenarios)).toEqual([incident.id]);
        expect(typeof exported.default).toBe('function');
        expect(typeof exported.setup).toBe('function');
        const summary = (exported.handleSummary as (data: unknown) => Record<string, string>)({ metrics: {}, state: { testRunDurationMs: 1_000 } });
        expect(Object.keys(summary).sort()).toEqual(['out.json', 'stdout']);
      });
    });
  }
});
