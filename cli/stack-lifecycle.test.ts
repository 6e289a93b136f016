import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { inheritedEnv } from '../test/config.js';
import { processesUsing } from '../test/processes.js';
import { runCli, startCli } from '../test/run-cli.js';
import { isAlive } from '../stack/stack-state.js';
import { startToxiproxyServer } from '../chaos/proxy/server.js';

/** Every state folder made, removed after the file; and those of the running test, stopped after it. */
const dirs: string[] = [];
const testDirs: string[] = [];

function freshStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-stack-test-'));
  dirs.push(dir);
  testDirs.push(dir);
  return dir;
}

function envFor(stateDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...inheritedEnv, GAMEDAY_STATE_DIR: stateDir, ...extra };
}

async function waitUntilNoneUse(dir: string, timeoutMs = 15_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = processesUsing(dir);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = processesUsing(dir);
  }
  return left;
}

afterEach(async () => {
  // Whatever a test left behind is stopped, also when it failed half way; the earlier tests' folders were seen to already.
  for (const dir of testDirs.splice(0)) {
    await runCli(['stack', 'down'], envFor(dir));
    for (const pid of processesUsing(dir)) process.kill(pid, 'SIGKILL');
  }
});

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('gameday stack', () => {
  it('up starts every part in the background, refuses a second up, and down stops exactly those processes', async () => {
    const stateDir = freshStateDir();
    const up = await runCli(['stack', 'up', '--json'], envFor(stateDir));
    expect(up.stderr).not.toMatch(/GAMEDAY_ERR/);
    expect(up.code).toBe(0);
    const endpoints = JSON.parse(up.stdout) as {
      redis: { url: string }; dynamodb: { endpoint: string; table: string };
      bedrock: { endpoint: string; admin: string }; supervisorPid: number; processes: { name: string; pid: number }[];
      service: { http: string; ws: string; workers: number[] };
      toxiproxy: { api: string; external: boolean; proxies: Record<string, { listen: string; upstream: string }> };
    };
    expect(endpoints.redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.dynamodb.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.bedrock.admin).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_admin$/);
    expect(endpoints.processes.map((part) => part.name).sort()).toEqual(['bedrock', 'dynamodb', 'redis', 'service', 'toxiproxy']);
    // The service reaches each dependency through its named proxy; clients can come in through carrier.
    expect(endpoints.toxiproxy).toMatchObject({ api: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), external: false });
    expect(endpoints.toxiproxy.proxies).toEqual({
      redis: { listen: expect.stringMatching(/^127\.0\.0\.1:\d+$/), upstream: new URL(endpoints.redis.url).host },
      dynamodb: { listen: expect.any(String), upstream: new URL(endpoints.dynamodb.endpoint).host },
      bedrock: { listen: expect.any(String), upstream: new URL(endpoints.bedrock.endpoint).host },
      carrier: { listen: expect.any(String), upstream: new URL(endpoints.service.http).host },
    });
    expect(endpoints.service.workers).toHaveLength(2);
    const pids = [endpoints.supervisorPid, ...endpoints.processes.map((part) => part.pid), ...endpoints.service.workers];
    // The audit reads the signing secret from the state file; status never prints it.
    const secret = (JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as { serviceSigningSecret?: string }).serviceSigningSecret;
    expect(secret?.length).toBeGreaterThanOrEqual(16);
    expect(up.stdout).not.toContain(secret);
    expect(pids.every(isAlive)).toBe(true);

    const again = await runCli(['stack', 'up'], envFor(stateDir));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('GAMEDAY_ERR_STACK_ALREADY_UP');

    const status = await runCli(['stack', 'status', '--json'], envFor(stateDir));
    expect(status.code).toBe(0);
    const health = (JSON.parse(status.stdout) as { health: Record<string, { ok: boolean }> }).health;
    expect(Object.values(health).every((part) => part.ok)).toBe(true);

    // Issue 14: the operator token is in a file only its owner reads; status shows where, never what.
    const tokenFile = (JSON.parse(status.stdout) as { service: { operatorTokenFile: string } }).service.operatorTokenFile;
    expect(tokenFile.startsWith(stateDir)).toBe(true);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const operatorToken = readFileSync(tokenFile, 'utf8').trim();
    expect(operatorToken.length).toBeGreaterThanOrEqual(32);
    expect(status.stdout + up.stdout + readFileSync(join(stateDir, 'stack.json'), 'utf8')).not.toContain(operatorToken);
    const changeProduct = (headers: Record<string, string>) => fetch(`${endpoints.service.http}/v1/products/mg-001`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ inStock: false }),
    });
    expect((await changeProduct({})).status).toBe(401);
    expect((await changeProduct({ authorization: `Bearer ${operatorToken}` })).status).toBe(200);

    const smoke = await runCli(['smoke', '--json'], envFor(stateDir));
    expect(smoke.stdout).toContain('"ok": true');
    expect(smoke.stdout).toContain('service chat via carrier');
    expect(smoke.code).toBe(0);

    const down = await runCli(['stack', 'down'], envFor(stateDir));
    expect(down.code).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(await waitUntilNoneUse(stateDir)).toEqual([]);
    expect(existsSync(join(stateDir, 'stack.json'))).toBe(false);
    expect(existsSync(tokenFile)).toBe(false);

    const statusAfter = await runCli(['stack', 'status', '--json'], envFor(stateDir));
    expect(statusAfter.code).toBe(1);
    expect(JSON.parse(statusAfter.stdout)).toEqual({ running: false });
  });

  it('--foreground stops every part on SIGINT', async () => {
    const stateDir = freshStateDir();
    const { child, result } = startCli(['stack', 'up', '--foreground', '--json'], envFor(stateDir));
    let ready = '';
    child.stdout?.on('data', (chunk: Buffer) => { ready += chunk.toString(); });
    const deadline = Date.now() + 60_000;
    while (!ready.trim().endsWith('}') && Date.now() < deadline) await sleep(100);
    const endpoints = JSON.parse(ready) as { processes: { pid: number }[] };
    const pids = endpoints.processes.map((part) => part.pid);
    expect(pids.every(isAlive)).toBe(true);

    child.kill('SIGINT');
    const exit = await result;
    expect(exit.code).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(await waitUntilNoneUse(stateDir)).toEqual([]);
    expect(existsSync(join(stateDir, 'stack.json'))).toBe(false);
  });

  it('SIGINT while the background stack is still starting leaves nothing running', async () => {
    const stateDir = freshStateDir();
    const { child, result } = startCli(['stack', 'up'], envFor(stateDir));
    // DynamoDB Local takes seconds to start: interrupt once the supervisor exists.
    const deadline = Date.now() + 30_000;
    while (processesUsing(stateDir).length < 2 && Date.now() < deadline) await sleep(50);
    child.kill('SIGINT');
    const exit = await result;
    expect(exit.stderr).toContain('GAMEDAY_ERR_INTERRUPTED');
    expect(exit.code).toBe(1);
    expect(await waitUntilNoneUse(stateDir)).toEqual([]);
  });

  describe('refuses clearly and leaves nothing running', () => {
    let blocker: Server | undefined;
    afterEach(() => { blocker?.close(); });

    it('when an asked-for port is busy', async () => {
      blocker = createServer();
      await new Promise<void>((resolve) => blocker?.listen(0, '127.0.0.1', resolve));
      const busy = (blocker.address() as { port: number }).port;
      const stateDir = freshStateDir();
      const up = await runCli(['stack', 'up', '--redis-port', String(busy)], envFor(stateDir));
      expect(up.code).toBe(1);
      expect(up.stderr).toContain('GAMEDAY_ERR_PORT_BUSY');
      expect(up.stderr).toContain(String(busy));
      expect(await waitUntilNoneUse(stateDir)).toEqual([]);
    });

    it('when redis-server is missing', async () => {
      const stateDir = freshStateDir();
      const up = await runCli(['stack', 'up'], envFor(stateDir, { GAMEDAY_REDIS_SERVER: '/nonexistent/redis-server' }));
      expect(up.code).toBe(1);
      expect(up.stderr).toContain('GAMEDAY_ERR_MISSING_REDIS');
      expect(up.stderr).toContain('apt-get install -y redis-server');
      expect(await waitUntilNoneUse(stateDir)).toEqual([]);
    });

    it('when Java is missing', async () => {
      const stateDir = freshStateDir();
      const up = await runCli(['stack', 'up'], envFor(stateDir, { GAMEDAY_JAVA: '/nonexistent/java' }));
      expect(up.code).toBe(1);
      expect(up.stderr).toContain('GAMEDAY_ERR_MISSING_JAVA');
      expect(up.stderr).toContain('openjdk-17-jre-headless');
      expect(await waitUntilNoneUse(stateDir)).toEqual([]);
    });

    it.each([
      [['stack', 'up', '--redis-port', '99999'], '--redis-port must be a port number'],
      [['stack', 'up', '--time-scale', 'fast'], '--time-scale must be a number'],
      [['stack', 'up', '--redis-policy', 'lru'], '--redis-policy must be one of'],
      [['stack', 'up', '--bogus'], "Unknown option '--bogus'"],
      [['stack', 'up', '--toxiproxy', 'ftp://127.0.0.1:8474'], '--toxiproxy must be the URL of a Toxiproxy HTTP API'],
      // The parts started beside the check are stopped again: nothing is left running.
      [['stack', 'up', '--no-service', '--toxiproxy', 'http://127.0.0.1:1'], 'GAMEDAY_ERR_TOXIPROXY_UNREACHABLE'],
      [['stack', 'sideways'], 'unknown stack action "sideways"'],
      [['launch'], 'unknown command "launch"'],
    ])('for bad input %j', async (args, message) => {
      const stateDir = freshStateDir();
      const result = await runCli(args, envFor(stateDir));
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(message);
      expect(processesUsing(stateDir)).toEqual([]);
    });
  });

  it('--toxiproxy URL routes through a Toxiproxy the user runs, and down removes only the proxies it made', async () => {
    const users = await startToxiproxyServer({ port: 0 });
    try {
      const stateDir = freshStateDir();
      const up = await runCli(['stack', 'up', '--json', '--no-service', '--toxiproxy', users.url], envFor(stateDir));
      expect(up.code).toBe(0);
      const endpoints = JSON.parse(up.stdout) as { toxiproxy: { api: string; external: boolean; proxies: object }; processes: { name: string }[] };
      expect(endpoints.toxiproxy).toMatchObject({ api: users.url, external: true });
      expect(Object.keys(endpoints.toxiproxy.proxies).sort()).toEqual(['bedrock', 'dynamodb', 'redis']);
      expect(endpoints.processes.map((part) => part.name)).not.toContain('toxiproxy');
      const listed = async () => Object.keys(await (await fetch(`${users.url}/proxies`)).json() as object).sort();
      expect(await listed()).toEqual(['bedrock', 'dynamodb', 'redis']);
      expect((await runCli(['stack', 'down'], envFor(stateDir))).code).toBe(0);
      expect(await listed()).toEqual([]);
    } finally {
      await users.stop();
    }
  });

  it('down with nothing running says so and succeeds', async () => {
    const result = await runCli(['stack', 'down'], envFor(freshStateDir()));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('no stack is running');
  });
});
