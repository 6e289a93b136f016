import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { GenericContainer, StartedTestContainer } from 'testcontainers';
import { loopback } from '../ports.js';

/** One started container of the stack, with its log in the stack's log folder. */
export interface ContainerPart {
  name: string;
  container: StartedTestContainer;
  logPath: string;
  /** Resolves once the container's output ends: it stopped, on its own or because we stopped it. */
  exited: Promise<void>;
  /** host:port on this machine where the container's port is published. */
  published(containerPort: number): string;
  /** Asks the container to stop (SIGTERM), and kills it after `graceMs`. */
  stop(): Promise<void>;
}

/**
 * Starts a container definition and follows its output into `<logDir>/<name>.log`. A container
 * that fails its wait strategy has already been removed by testcontainers when this rejects.
 */
export async function startContainerPart(name: string, definition: GenericContainer, logDir: string, stopGraceMs: number): Promise<ContainerPart> {
  const logPath = join(logDir, `${name}.log`);
  let ended: () => void = () => undefined;
  const exited = new Promise<void>((resolve) => { ended = resolve; });
  const container = await definition.withLogConsumer((stream: Readable) => {
    stream.pipe(createWriteStream(logPath, { flags: 'a' }));
    stream.once('end', ended);
    stream.once('close', ended);
    stream.once('error', ended);
  }).start();
  // testcontainers says "localhost" for a local engine; the stack's addresses are 127.0.0.1, as without --docker.
  const host = container.getHost() === 'localhost' ? loopback : container.getHost();
  let stopping: Promise<void> | null = null;
  return {
    name,
    container,
    logPath,
    exited,
    published: (containerPort) => `${host}:${container.getMappedPort(containerPort)}`,
    stop() {
      stopping ??= container.stop({ timeout: stopGraceMs }).then(() => undefined);
      return stopping;
    },
  };
}
