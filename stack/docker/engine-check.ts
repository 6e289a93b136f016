import { spawn } from 'node:child_process';
import { StackError } from '../errors.js';

export const dockerErrors = {
  noEngine: (reason: string) =>
    new StackError('GAMEDAY_ERR_NO_DOCKER',
      `--docker needs a running Docker engine (docker info failed: ${reason}). Start Docker (or set DOCKER_HOST), or leave out --docker to run the stack as local processes.`),
  imageBuildFailed: (image: string, dockerfile: string, detail: string) =>
    new StackError('GAMEDAY_ERR_DOCKER_BUILD',
      `building ${image} from ${dockerfile} failed (${detail}). Try \`docker build -f ${dockerfile} .\` in the repository root to see the whole build log.`),
};

export interface DockerEngineProbes {
  /** Resolves once testcontainers, which starts the containers, reaches an engine. */
  runtime(): Promise<unknown>;
  /** What `docker info` says: whether it reaches an engine, and why not in the CLI's words. */
  dockerInfo(): Promise<DockerInfo>;
}

export type DockerInfo = { state: 'answers' } | { state: 'fails'; reason: string } | { state: 'no-cli' };

const dockerInfoTimeoutMs = 15_000;

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).at(-1) ?? '';
}

function dockerInfo(): Promise<DockerInfo> {
  return new Promise((resolve) => {
    const child = spawn('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4_000); });
    const timer = setTimeout(() => child.kill('SIGKILL'), dockerInfoTimeoutMs);
    child.once('error', () => {
      clearTimeout(timer);
      resolve({ state: 'no-cli' });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ state: 'answers' });
      else resolve({ state: 'fails', reason: lastLine(stderr) || (signal ? `no answer within ${dockerInfoTimeoutMs / 1000} s` : `exit code ${code}`) });
    });
  });
}

export const defaultEngineProbes: DockerEngineProbes = {
  async runtime() {
    // Loaded only when asked for: testcontainers takes most of a second to import.
    const { getContainerRuntimeClient } = await import('testcontainers');
    return getContainerRuntimeClient();
  },
  dockerInfo,
};

function reasonOf(info: DockerInfo, fromRuntime: string): string {
  switch (info.state) {
    case 'fails': return info.reason;
    case 'no-cli': return `${fromRuntime}; there is no docker CLI to ask why`;
    case 'answers': return `${fromRuntime}, although the docker CLI reaches one; testcontainers looks at DOCKER_HOST, ~/.testcontainers.properties and /var/run/docker.sock`;
  }
}

/**
 * Refuses clearly, before anything is started, when no Docker engine answers: the reason is
 * the docker CLI's own (testcontainers only says that none of its strategies worked).
 */
export async function checkDockerEngine(probes: DockerEngineProbes = defaultEngineProbes): Promise<void> {
  try {
    await probes.runtime();
  } catch (error) {
    const fromRuntime = error instanceof Error ? error.message : String(error);
    throw dockerErrors.noEngine(reasonOf(await probes.dockerInfo(), fromRuntime));
  }
}
