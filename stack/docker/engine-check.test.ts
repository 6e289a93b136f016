import { describe, expect, it } from 'vitest';
import { StackError } from '../errors.js';
import { checkDockerEngine, type DockerEngineProbes, type DockerInfo } from './engine-check.js';

function probes(runtime: () => Promise<unknown>, info: DockerInfo): DockerEngineProbes & { infoAsked: number } {
  const result = {
    infoAsked: 0,
    runtime,
    async dockerInfo() {
      result.infoAsked += 1;
      return info;
    },
  };
  return result;
}

const unreachable = () => Promise.reject(new Error('Could not find a working container runtime strategy'));

describe('the --docker refusal', () => {
  it('says Docker is needed, in the docker CLI\'s words, with a stable code', async () => {
    const daemonDown = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';
    const error = await checkDockerEngine(probes(unreachable, { state: 'fails', reason: daemonDown })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StackError);
    expect((error as StackError).code).toBe('GAMEDAY_ERR_NO_DOCKER');
    expect((error as StackError).message).toBe(`--docker needs a running Docker engine (docker info failed: ${daemonDown}). `
      + 'Start Docker (or set DOCKER_HOST), or leave out --docker to run the stack as local processes.');
  });

  it('falls back to testcontainers\' reason when there is no docker CLI, and says so', async () => {
    await expect(checkDockerEngine(probes(unreachable, { state: 'no-cli' })))
      .rejects.toThrow('--docker needs a running Docker engine (docker info failed: Could not find a working container runtime strategy; there is no docker CLI to ask why)');
  });

  it('tells where testcontainers looks when the docker CLI reaches an engine it does not', async () => {
    await expect(checkDockerEngine(probes(unreachable, { state: 'answers' }))).rejects.toThrow(/although the docker CLI reaches one; testcontainers looks at DOCKER_HOST/);
  });

  it('passes without asking the CLI when testcontainers reaches an engine', async () => {
    const reachable = probes(() => Promise.resolve({}), { state: 'fails', reason: 'not asked' });
    await expect(checkDockerEngine(reachable)).resolves.toBeUndefined();
    expect(reachable.infoAsked).toBe(0);
  });
});
