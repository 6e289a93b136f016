/**
 * A k6 script's settings, from `k6 run -e NAME=value` (__ENV), with defaults for the local stack:
 * BASE_URL (REST), WS_URL (protocol v1 WebSocket; default BASE_URL's host at /v1/ws),
 * CARRIER_WS_URL (the carrier proxy's WebSocket, for mobile-behind-NAT sessions), SCALE (default
 * the incident's quick scale), DURATION (the arrival window: "25s", "2m", or milliseconds; default
 * the incident's; DURATION_MS, as `gameday run --engine k6` passes it, is the same in ms), SEED
 * (default 1), SUMMARY_PATH (where handleSummary writes the summary JSON), SHAPE (one of the
 * incident's load shapes; default its first), TIME_SCALE (the model's time scale at the target:
 * latency thresholds are judged at it, engine/latency-scale.ts; default the incident's own, 1
 * for a deployment whose model runs at real speed).
 */
import type { Incident } from '../../incident.ts';

export interface K6Settings {
  baseUrl: string;
  wsUrl: string;
  carrierWsUrl: string | null;
  scale: number;
  durationMs: number;
  seed: number;
  summaryPath: string;
  /** undefined: the incident has one shape. */
  shape: string | undefined;
  timeScale: number;
}

const durationPart = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const unitMs: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** "1m30s", "25s", "500ms" or a number of milliseconds. */
export function parseDurationMs(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  let total = 0;
  let consumed = 0;
  durationPart.lastIndex = 0;
  for (let match = durationPart.exec(text); match !== null; match = durationPart.exec(text)) {
    if (match.index !== consumed) return null;
    total += Number(match[1]) * (unitMs[match[2] as string] as number);
    consumed += match[0].length;
  }
  return consumed === text.length && consumed > 0 ? total : null;
}

function positiveNumber(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a number above 0, not "${raw}"`);
  return value;
}

function webSocketUrlOf(baseUrl: string): string {
  return `${baseUrl.replace(/^http/, 'ws').replace(/\/+$/, '')}/v1/ws`;
}

export function settingsFromEnv(incident: Incident, env: Record<string, string | undefined>): K6Settings {
  const baseUrl = (env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
  if (!/^https?:\/\//.test(baseUrl)) throw new Error(`BASE_URL must be an http(s) URL, not "${baseUrl}"`);
  const durationText = env.DURATION || env.DURATION_MS;
  const duration = durationText ? parseDurationMs(durationText) : incident.defaultDurationMs;
  if (duration === null || duration <= 0) throw new Error(`DURATION must be like 25s, 2m or a number of milliseconds, not "${durationText}"`);
  const seed = positiveNumber('SEED', env.SEED, 1);
  const shapes = Object.keys(incident.shapes ?? {});
  const shape = env.SHAPE || shapes[0];
  if (shape !== undefined && !shapes.includes(shape)) {
    throw new Error(shapes.length > 0 ? `SHAPE must be one of ${shapes.join(', ')}, not "${shape}"` : `${incident.id} has one load shape; leave SHAPE unset, not "${shape}"`);
  }
  if (!Number.isInteger(seed)) throw new Error(`SEED must be a whole number, not "${env.SEED}"`);
  return {
    baseUrl,
    wsUrl: env.WS_URL || webSocketUrlOf(baseUrl),
    carrierWsUrl: env.CARRIER_WS_URL || null,
    scale: positiveNumber('SCALE', env.SCALE, incident.quickScale),
    durationMs: duration,
    seed,
    summaryPath: env.SUMMARY_PATH || `${incident.id}-summary.json`,
    shape,
    timeScale: positiveNumber('TIME_SCALE', env.TIME_SCALE, incident.stack.timeScale ?? 1),
  };
}
