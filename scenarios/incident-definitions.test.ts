import { describe, expect, it } from 'vitest';
import { findFaultDefinition } from '../chaos/faults/catalogue.js';
import type { FaultTargets } from '../chaos/faults/fault.js';
import { chatMetrics } from '../engine/metrics/run-metrics.js';
import { parseDuration, parseThreshold } from '../engine/thresholds.js';
import { loadServiceConfig, naiveSwitches } from '../service/config.js';
import { redisConfig, redisEvictionPolicies } from '../stack/redis-config.js';
import { incidents } from './index.js';
import { type Incident, incidentIds } from './incident.js';
import { k6Thresholds } from './k6/lib/k6-options.js';
import { latencyAboveSloFault } from './steady-1m-day.js';

const all = [...incidents.values()];
const metricNames = new Set(chatMetrics.map((metric) => metric.name));
const expression = (spec: string | { threshold: string }) => (typeof spec === 'string' ? spec : spec.threshold);

// Fault options are checked when a fault is created; creating one touches nothing.
const nowhere = 'http://127.0.0.1:9';
const targets: FaultTargets = {
  toxiproxyApi: nowhere,
  proxies: Object.fromEntries(['carrier', 'redis', 'dynamodb', 'bedrock'].map((name) => [name, { listen: '127.0.0.1:9', upstream: '127.0.0.1:9' }])),
  redisUrl: 'redis://127.0.0.1:9',
  bedrockAdmin: `${nowhere}/_admin`,
  listWorkers: async () => [],
};

describe('the incidents', () => {
  it('are the seven of DESIGN.md and the real-time long-session lane, in id order, each under its own id', () => {
    expect([...incidents.keys()]).toEqual([...incidentIds]);
    for (const [id, incident] of incidents) expect(incident.id).toBe(id);
  });

  for (const incident of all) {
    describe(incident.id, () => {
      it('says what it is, which seed it comes from and how its time is compressed', () => {
        expect(incident.title.length).toBeGreaterThan(10);
        expect(incident.seed).toMatch(/^00[0-4]/);
        expect(incident.description.length).toBeGreaterThan(80);
        expect(incident.timeCompression.length).toBeGreaterThan(20);
        expect(incident.quickScale).toBeGreaterThan(0);
      });

      it('has thresholds in k6 syntax on the metrics of DESIGN.md, with parseable windows', () => {
        for (const [metric, specs] of Object.entries(incident.thresholds)) {
          expect(metricNames.has(metric), metric).toBe(true);
          expect(specs.length).toBeGreaterThan(0);
          for (const spec of specs) {
            expect(() => parseThreshold(expression(spec))).not.toThrow();
            if (typeof spec !== 'string' && spec.window !== undefined) expect(parseDuration(spec.window)).toBe(10_000);
          }
        }
      });

      it('names a gate that matters among its thresholds', () => {
        expect(incident.gateThatMatters.length).toBeGreaterThan(0);
        for (const metric of incident.gateThatMatters) expect(Object.keys(incident.thresholds)).toContain(metric);
      });

      it('brings its bug back with a switch the service has (steady-1m-day: none, its proof slows the model)', () => {
        if (incident.id === 'steady-1m-day') expect(incident.naiveSwitch).toBeNull();
        else expect(naiveSwitches as readonly string[]).toContain(incident.naiveSwitch);
      });

      it('asks for a stack the stack can be: a Redis size and policy, a time scale, service settings the service accepts', () => {
        const { redisMaxmemory, redisPolicy, timeScale, workers, serviceEnv } = incident.stack;
        expect(() => redisConfig({ port: 1, maxmemory: redisMaxmemory ?? '256mb', maxmemoryPolicy: redisPolicy ?? 'volatile-lru' })).not.toThrow();
        if (redisPolicy) expect(redisEvictionPolicies as readonly string[]).toContain(redisPolicy);
        if (timeScale !== undefined) expect(timeScale).toBeGreaterThan(0);
        if (workers !== undefined) expect(workers).toBeGreaterThanOrEqual(2);
        expect(() => loadServiceConfig({ SESSION_SIGNING_SECRET: 'a-secret-of-sixteen-chars', ...serviceEnv })).not.toThrow();
      });

      it('has a fault timeline of catalogue faults whose options the faults accept', () => {
        for (const scale of [incident.quickScale, 1]) {
          for (const step of incident.faults(scale, incident.defaultDurationMs)) {
            const definition = findFaultDefinition(step.fault);
            expect(definition, step.fault).toBeDefined();
            expect(() => definition?.create(step.options, targets)).not.toThrow();
            expect(step.atMs).toBeGreaterThanOrEqual(0);
            expect(step.durationMs).toBeGreaterThan(0);
          }
        }
      });

      it('gives k6 the same thresholds, windows dropped (k6 judges whole runs only)', () => {
        const converted = k6Thresholds(incident.thresholds);
        expect(Object.keys(converted)).toEqual(Object.keys(incident.thresholds));
        for (const [metric, specs] of Object.entries(incident.thresholds)) {
          const plain = [...new Set(specs.map(expression))];
          expect(converted[metric]?.map(expression)).toEqual(plain);
          expect(JSON.stringify(converted[metric])).not.toContain('window');
        }
      });
    });
  }

  it('names a real-time lane only where one exists: an incident with the model at real speed and the same latency gate', () => {
    for (const incident of all.filter((each) => each.realTimeLane !== undefined)) {
      const lane = incidents.get(incident.realTimeLane as Incident['id']);
      expect(lane, incident.id).toBeDefined();
      expect(lane?.stack.timeScale ?? 1).toBe(1);
      expect(lane?.thresholds.chat_ttft).toEqual(incident.thresholds.chat_ttft);
    }
    expect(incidents.get('long-session')?.realTimeLane).toBe('long-session-realtime');
  });

  it('steady-1m-day\'s proof fault slows the model past the SLO through the bedrock fault', () => {
    const step = latencyAboveSloFault(30_000);
    expect(() => findFaultDefinition(step.fault)?.create(step.options, targets)).not.toThrow();
    expect(step.durationMs).toBeGreaterThan(30_000);
  });

  it('carrier-nat compresses the NAT idle and the service\'s ping and pong by the same factor (30 : 20 : 5)', () => {
    const nat = incidents.get('carrier-nat');
    const env = nat?.stack.serviceEnv ?? {};
    const idle = nat?.faults(1, 20_000)[0]?.options.idle as string;
    const idleMs = Number(/^(\d+)ms$/.exec(idle)?.[1]);
    expect(idleMs / Number(env.GAMEDAY_PING_INTERVAL_MS)).toBeCloseTo(30 / 20, 10);
    expect(idleMs / Number(env.GAMEDAY_PONG_TIMEOUT_MS)).toBeCloseTo(30 / 5, 10);
  });
});
