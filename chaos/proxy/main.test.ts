import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { tsxProgramArgs } from '../../stack/tsx-program.js';
import { inheritedEnv } from '../../test/config.js';
import { connect, portOf, refusesConnections, startEchoUpstream, waitFor, type Upstream } from './proxy-test-kit.js';

interface Program {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<[number | null, string | null]>;
}

const children = new Set<ChildProcess>();
let upstream: Upstream | undefined;

function startMain(env: NodeJS.ProcessEnv): Program {
  const child = spawn(process.execPath, tsxProgramArgs(new URL('./main.ts', import.meta.url)), {
    env: { ...inheritedEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (part: Buffer) => (stdout += part.toString()));
  child.stderr?.on('data', (part: Buffer) => (stderr += part.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  void exited.then(() => children.delete(child));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

afterEach(async () => {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exit = once(child, 'exit');
    child.kill('SIGKILL');
    await exit;
  }
  await upstream?.close();
  upstream = undefined;
});

describe('chaos/proxy/main.ts as a program', () => {
  it('prints its ready line, answers /version, and exits 0 on SIGTERM with no listener left', async () => {
    const program = startMain({ GAMEDAY_TOXIPROXY_PORT: '0', GAMEDAY_TOXIPROXY_SEED: '5' });
    await waitFor(() => program.stdout().includes('\n') || program.child.exitCode !== null, 'the ready line', 30_000);
    const match = /^toxiproxy listening on (http:\/\/127\.0\.0\.1:(\d+))\n$/.exec(program.stdout());
    expect(match, `stdout: ${program.stdout()}\nstderr: ${program.stderr()}`).not.toBeNull();
    const api = match?.[1] as string;

    const version = await fetch(`${api}/version`);
    expect(await version.text()).toBe('{"version": "2.12.0"}\n');

    upstream = await startEchoUpstream();
    const created = await fetch(`${api}/proxies`, {
      method: 'POST',
      body: JSON.stringify({ name: 'echo', listen: '127.0.0.1:0', upstream: upstream.address }),
    });
    const proxyPort = portOf(((await created.json()) as { listen: string }).listen);
    const client = await connect(proxyPort);
    client.socket.write('ping');
    await waitFor(() => client.text() === 'ping', 'the echo through the program');

    program.child.kill('SIGTERM');
    expect(await program.exited).toEqual([0, null]);
    await client.closed;
    expect(await refusesConnections(proxyPort)).toBe(true);
    expect(await refusesConnections(Number(match?.[2]))).toBe(true);
  });

  it('refuses a bad setting with one line and exit code 1', async () => {
    const program = startMain({ GAMEDAY_TOXIPROXY_PORT: 'eighty' });
    expect(await program.exited).toEqual([1, null]);
    expect(program.stderr()).toBe('toxiproxy: GAMEDAY_TOXIPROXY_PORT must be an integer from 0 to 65535 (got "eighty")\n');
    expect(program.stdout()).toBe('');
  });
});
