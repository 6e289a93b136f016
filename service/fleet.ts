import cluster, { type Worker } from 'node:cluster';
import { serveFleetMetrics } from './fleet-metrics.js';
import { renameSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';

export interface FleetOptions {
  workers: number;
  drainTimeoutMs: number;
  /** Where the live worker pids are written (JSON), so chaos can pick one to kill. */
  statusFile: string | undefined;
  logger: Logger;
  /** Restarts within this window that count as a crash loop. */
  crashWindowMs?: number;
  maxCrashesInWindow?: number;
}

export interface FleetStatus {
  primaryPid: number;
  workers: number[];
  restarts: number;
  listening: boolean;
  port: number | null;
}

/**
 * The primary of the fleet: N workers behind one port (node:cluster), like ECS tasks behind a
 * load balancer. A worker that dies is replaced; SIGTERM drains every worker (each stops taking
 * new work and finishes its streams) and kills those still busy after the drain timeout.
 */
export function runFleet(options: FleetOptions): Promise<void> {
  const { logger } = options;
  const crashWindowMs = options.crashWindowMs ?? 10_000;
  const maxCrashes = options.maxCrashesInWindow ?? 10;
  const crashTimes: number[] = [];
  const status: FleetStatus = { primaryPid: process.pid, workers: [], restarts: 0, listening: false, port: null };
  let stopping = false;

  const publish = () => {
    status.workers = Object.values(cluster.workers ?? {}).flatMap((worker) => (worker?.process.pid ? [worker.process.pid] : []));
    if (!options.statusFile) return;
    const temporary = `${options.statusFile}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(status)}\n`);
    renameSync(temporary, options.statusFile);
  };

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.once('listening', (address) => {
      status.listening = true;
      status.port = address.port;
      logger.info({ worker: worker.process.pid, port: address.port }, 'worker listening');
      publish();
    });
    return worker;
  };

  serveFleetMetrics();
  return new Promise((resolve, reject) => {
    cluster.on('exit', (worker, code, signal) => {
      publish();
      if (stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) resolve();
        return;
      }
      logger.error({ worker: worker.process.pid, code, signal }, 'worker died; starting a replacement');
      const now = Date.now();
      crashTimes.push(now);
      while (crashTimes.length > 0 && (crashTimes[0] as number) < now - crashWindowMs) crashTimes.shift();
      if (crashTimes.length > maxCrashes) {
        stopping = true;
        for (const other of Object.values(cluster.workers ?? {})) other?.kill('SIGKILL');
        reject(new Error(`workers crashed ${crashTimes.length} times in ${crashWindowMs} ms; the fleet gives up`));
        return;
      }
      status.restarts += 1;
      fork();
    });

    const drain = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal, drainTimeoutMs: options.drainTimeoutMs }, 'draining the fleet');
      const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => Boolean(worker));
      if (workers.length === 0) resolve();
      for (const worker of workers) worker.process.kill('SIGTERM');
      setTimeout(() => {
        for (const worker of Object.values(cluster.workers ?? {})) {
          logger.error({ worker: worker?.process.pid }, 'worker did not drain in time; killing it');
          worker?.process.kill('SIGKILL');
        }
      }, options.drainTimeoutMs).unref();
    };
    process.on('SIGTERM', () => drain('SIGTERM'));
    process.on('SIGINT', () => drain('SIGINT'));

    for (let i = 0; i < options.workers; i += 1) fork();
    publish();
  });
}
