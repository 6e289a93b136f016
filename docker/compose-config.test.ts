import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  checkBedrock, checkHealthDependencies, checkImages, checkRedisAndDynamoDb, checkService, checkTopologyDefaults, checkToxiproxy,
  type ComposeInput,
} from './compose-checks.js';
import { parseCompose } from './compose-file.js';
import { checkGrafana, checkK6, checkPrometheus } from './compose-observability-checks.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8');

function repoInput(text: string, overrides: Record<string, string> = {}): ComposeInput {
  return {
    services: parseCompose(text),
    read: (path) => overrides[path] ?? (existsSync(join(root, path)) && statSync(join(root, path)).isFile() ? readFileSync(join(root, path), 'utf8') : null),
    exists: (path) => existsSync(join(root, path)),
  };
}

const checks = {
  'the ports of stack/docker/topology.ts are the programs\' defaults': checkTopologyDefaults,
  'each service runs the image stack up --docker runs, built from its Dockerfile': checkImages,
  'the service container\'s variables are all read by service/config.ts, which accepts them and routes every dependency through its proxy': checkService,
  'the emulator container listens where the proxy sends it, with stack up\'s seed and time scale': checkBedrock,
  'Redis and DynamoDB Local run as stack up runs them, and the session table is created by name where the service reads it': checkRedisAndDynamoDb,
  'toxiproxy.json holds the proxies stack up names, in front of the compose services': checkToxiproxy,
  'every service_healthy dependency has a health check': checkHealthDependencies,
  'Prometheus scrapes the service and accepts remote write': checkPrometheus,
  'Grafana is provisioned from dashboards/provisioning and dashboards/generated': checkGrafana,
  'k6 runs a bundled incident with settings scenarios/k6/lib/settings.ts reads, writing to Prometheus as the load dashboard expects': checkK6,
};

describe('docker-compose.yml agrees with the code', () => {
  const input = repoInput(composeText);
  for (const [behaviour, check] of Object.entries(checks)) {
    it(behaviour, () => expect(check(input)).toEqual([]));
  }

  it('publishes only on 127.0.0.1', () => {
    const published = Object.values(input.services).flatMap((service) => service.ports);
    expect(published.length).toBeGreaterThan(0);
    expect(published.filter((port) => port.hostIp !== '127.0.0.1')).toEqual([]);
  });
});

describe('the compose checks can fail', () => {
  const edited = (from: string, to: string) => {
    expect(composeText).toContain(from);
    return repoInput(composeText.replace(from, to));
  };

  it('a service published on another container port', () => {
    expect(checkService(edited('"127.0.0.1:8080:8080"', '"127.0.0.1:8080:8081"'))).toEqual(['service: container ports published: [8081], expected [8080]']);
  });

  it('Redis reached around its proxy', () => {
    expect(checkService(edited('REDIS_URL: redis://toxiproxy:16379', 'REDIS_URL: redis://redis:6379')).join('\n')).toMatch(/service: environment/);
  });

  it('a variable the service does not read (a typo)', () => {
    expect(checkService(edited('GAMEDAY_PROFILE: ${GAMEDAY_PROFILE:-hardened}', 'GAMEDAY_PROFIL: hardened'))).toContain('service: GAMEDAY_PROFIL is set, but service/config.ts never reads it');
  });

  it('a value the service refuses', () => {
    expect(checkService(edited('${GAMEDAY_SERVICE_WORKERS:-2}', '"many"'))[0]).toMatch(/service\/config.ts refuses the container's environment: ORCH_ERR_CONFIG: GAMEDAY_SERVICE_WORKERS/);
  });

  it('another table name for the session-table program', () => {
    const input = edited('      DYNAMODB_TABLE: mangaassist-sessions\n    depends_on:\n      dynamodb:', '      DYNAMODB_TABLE: sessions\n    depends_on:\n      dynamodb:');
    expect(checkRedisAndDynamoDb(input)).toEqual(['session-table: table: "sessions", expected "mangaassist-sessions"']);
  });

  it('a proxy renamed in toxiproxy.json', () => {
    const renamed = readFileSync(join(root, 'docker/toxiproxy.json'), 'utf8').replace('"name": "carrier"', '"name": "mobile"');
    const problems = checkToxiproxy(repoInput(composeText, { 'docker/toxiproxy.json': renamed }));
    expect(problems[0]).toBe('toxiproxy: proxy names in ./docker/toxiproxy.json: ["mobile","redis","dynamodb","bedrock"], expected ["carrier","redis","dynamodb","bedrock"]');
  });

  it('a k6 setting the scripts do not read, and Prometheus without its remote-write receiver', () => {
    expect(checkK6(edited('      BASE_URL: http://service:8080', '      BASE_URL: http://service:8080\n      TARGET: http://service:8080'))).toEqual(['k6: TARGET is set, but scenarios/k6/lib/settings.ts never reads it']);
    expect(checkPrometheus(edited('      - --web.enable-remote-write-receiver\n', ''))).toEqual(['prometheus: without --web.enable-remote-write-receiver, k6 cannot remote-write to it']);
  });
});
