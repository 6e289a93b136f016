import { pino, type Logger } from 'pino';
import { loopback } from '../ports.js';
import { listenDualProtocol } from './dual-protocol.js';
import { EmulatorState } from './emulator-state.js';
import type { ModelFamily } from './models.js';
import { defaultQuotas, modelFamilies, type QuotaLimits, type QuotaSettings } from './quotas.js';
import { createRouter } from './routes.js';

export interface EmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Default 1. The same seed and the same order of requests replay the same answers and timings. */
  seed?: number;
  /** Default 1; multiplies every modelled time (tests use e.g. 0.05). */
  timeScale?: number;
  /** Default 300: the mean answer length, jittered per request. */
  targetOutputTokens?: number;
  quotas?: Partial<Record<ModelFamily, QuotaLimits>>;
  /** How many finished calls /_admin/records keeps. Default 100,000. */
  recordLimit?: number;
  logger?: Logger;
}

export interface RunningEmulator {
  port: number;
  url: string;
  adminUrl: string;
  /** Stops accepting, ends open streams with an exception frame, and closes every connection. */
  close(): Promise<void>;
}

// Streams are ended first, so connections only need time to flush their last frames.
const closeGraceMs = 2_000;

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`EmulatorOptions.${name} must be a number greater than 0 (got ${value})`);
  return value;
}

function quotasFrom(options: EmulatorOptions['quotas']): QuotaSettings {
  const quotas = structuredClone(defaultQuotas) as QuotaSettings;
  for (const family of modelFamilies) {
    const limits = options?.[family];
    if (limits) quotas[family] = { ...limits };
  }
  return quotas;
}

/** Starts the Bedrock Runtime emulator (h2c and HTTP/1.1 on one port, admin API under /_admin). */
export async function startBedrockEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? loopback;
  const state = new EmulatorState({
    seed: options.seed ?? 1,
    timeScale: positive('timeScale', options.timeScale ?? 1),
    targetOutputTokens: positive('targetOutputTokens', options.targetOutputTokens ?? 300),
    quotas: quotasFrom(options.quotas),
    recordLimit: positive('recordLimit', options.recordLimit ?? 100_000),
  }, options.logger ?? pino({ level: 'silent' }));
  const server = await listenDualProtocol(host, options.port ?? 0, createRouter(state));
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
  let closing: Promise<void> | undefined;
  return {
    port: server.port,
    url,
    adminUrl: `${url}/_admin`,
    close: () => {
      closing ??= (async () => {
        state.closing = true;
        for (const call of state.activeCalls()) call.stop();
        await server.close(closeGraceMs);
      })();
      return closing;
    },
  };
}
