import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:http2';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { inheritedEnv } from '../../test/config.js';
import { freePort } from '../ports.js';
import { anthropicBody } from './emulator-test-kit.js';
import { modelIds } from './models.js';

const mainPath = fileURLToPath(new URL('./main.ts', import.meta.url));
const children = new Set<ChildProcess>();

interface Program { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<[number | null, string | null]> }

function startMain(args: string[], env: NodeJS.ProcessEnv = {}): Program {
  const child = spawn(process.execPath, ['--import', 'tsx', mainPath, ...args], {
    env: { ...inheritedEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (part: Buffer) => { stdout += part.toString(); });
  child.stderr?.on('data', (part: Buffer) => { stderr += part.toString(); });
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  exited.then(() => children.delete(child), () => undefined);
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves with the "listening" log line, or fails with what the program printed. */
async function listening(program: Program): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const line = program.stdout().split('\n').find((candidate) => candidate.includes('"bedrock emulator listening"'));
    if (line) return JSON.parse(line) as Record<string, unknown>;
    if (program.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the emulator did not start:\n${program.stdout()}\n${program.stderr()}`);
}

afterEach(async () => {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exit = once(child, 'exit');
    child.kill('SIGKILL');
    await exit;
  }
});

describe('stack/bedrock/main.ts as a program', () => {
  it('logs one structured line when listening, answers, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const program = startMain(['--port', String(port), '--time-scale', '0.05'], { GAMEDAY_BEDROCK_SEED: '9' });
    const line = await listening(program);
    expect(line).toMatchObject({ level: 30, port, seed: 9, timeScale: 0.05 });
    const response = await fetch(`http://127.0.0.1:${port}/model/${encodeURIComponent(modelIds.haiku)}/invoke`, {
      method: 'POST', body: anthropicBody('こんにちは'),
    });
    expect(response.status).toBe(200);
    program.child.kill('SIGTERM');
    expect(await program.exited).toEqual([0, null]);
  });

  it('ends an open stream with an exception frame on SIGINT and still exits 0 quickly', async () => {
    const port = await freePort();
    const program = startMain(['--port', String(port), '--time-scale', '5']);
    await listening(program);
    const session = connect(`http://127.0.0.1:${port}`);
    session.on('error', () => undefined);
    const stream = session.request({ ':method': 'POST', ':path': `/model/${encodeURIComponent(modelIds.sonnet)}/invoke-with-response-stream` });
    stream.on('error', () => undefined);
    const received: Buffer[] = [];
    stream.on('data', (part: Buffer) => received.push(part));
    const streamEnded = once(stream, 'close');
    stream.end(anthropicBody('長い答えをください'));
    await once(stream, 'response');
    const started = Date.now();
    program.child.kill('SIGINT');
    expect(await program.exited).toEqual([0, null]);
    expect(Date.now() - started).toBeLessThan(5_000);
    await streamEnded;
    session.destroy();
    expect(Buffer.concat(received).toString('latin1')).toContain('serviceUnavailableException');
  });

  it('refuses a bad flag with exit 1 and one line naming the flag and what is allowed', async () => {
    const program = startMain(['--time-scale', 'fast']);
    expect(await program.exited).toEqual([1, null]);
    expect(program.stderr().trim()).toBe('bedrock emulator: --time-scale must be a number greater than 0 and at most 1000 (got "fast")');
  });

  it('refuses a busy port with exit 1 and a clear line', async () => {
    const first = startMain(['--port', '0']);
    const { port } = await listening(first);
    const second = startMain(['--port', String(port)]);
    expect(await second.exited).toEqual([1, null]);
    expect(second.stderr()).toContain(`port ${String(port)} on 127.0.0.1 is already in use`);
  });

  it('prints the usage for --help', async () => {
    const program = startMain(['--help']);
    expect(await program.exited).toEqual([0, null]);
    expect(program.stdout()).toContain('--rpm-sonnet');
    expect(program.stdout()).toContain('GAMEDAY_BEDROCK_');
  });
});
