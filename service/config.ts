import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Each incident's original bug, as a switch the naive profile turns back on. */
export const naiveSwitches = [
  'redisOnlyStore', // seed 002 flash sale: Redis is the only store, allkeys-lru evicts live sessions
  'fullHistory', // seed 000 s1, seed 004 s1: whole history, with retrieval context kept in it, no budget
  'noAppPings', // seed 001 s1: no app-level ping, idle sockets die behind carrier NAT
  'inProcessSessions', // seed 000 s2: sessions in worker memory, lost when a task is killed
  'utf16Length', // seed 004 s3: String.length (UTF-16 units) limit of 4000
  'noTtl', // seed 000 s5: items written without ttl
  'staleResponseCache', // seed 001 s4: 1 h response cache, not keyed by products, never invalidated
  'unsignedTurns', // seed 000 s4: turns not signed, forged turns accepted
] as const;
export type NaiveSwitch = (typeof naiveSwitches)[number];
export const profiles = ['hardened', 'naive'] as const;
export type Profile = (typeof profiles)[number];
export type ModelFamily = 'sonnet' | 'haiku';

export interface ServiceConfig {
  profile: Profile;
  naive: Readonly<Record<NaiveSwitch, boolean>>;
  /** requestTimeoutMs: the whole request (headers and body) must arrive within it; a trickled body is cut. */
  http: { host: string; port: number; requestTimeoutMs: number };
  workers: number;
  /** Where the fleet's primary writes its live worker pids (JSON), for task-kill chaos. */
  fleetStatusFile: string | undefined;
  redis: { url: string };
  dynamodb: { endpoint: string | undefined; region: string; table: string };
  bedrock: { endpoint: string | undefined; region: string; sonnetModelId: string; haikuModelId: string };
  catalogPath: string;
  signingSecret: string;
  /** The bearer token that may change the catalog; undefined refuses every change. */
  operatorToken: string | undefined;
  sessionTtlSeconds: number;
  cacheTtlSeconds: number;
  responseCacheTtlSeconds: number;
  context: {
    inputBudgetTokens: number; retrievalBudgetTokens: number; maxRecentTurns: number; minRecentTurns: number;
    summaryMaxTokens: number; warnAboveTokens: number; refuseAboveTokens: number; maxOutputTokens: number;
    /** How long a turn waits for a summary already being made before it goes without it. */
    summaryWaitMs: number;
  };
  timeouts: {
    /** The whole turn, restart included: the caller's deadline. */
    turnBudgetMs: number;
    /** The first-token timeout (seed 004's adaptive formula): request until the first delta only. */
    modelBaseMs: number; modelPerThousandTokensMs: number; modelMaxMs: number;
    /** Longest silence between deltas once text has started. */
    streamGapMs: number;
    /** Budget a stream that failed after text must still have left to restart on Haiku. */
    restartMinBudgetMs: number;
  };
  retries: { throttleAttempts: number; baseDelayMs: number; maxDelayMs: number };
  ws: { pingIntervalMs: number; pongTimeoutMs: number; maxFrameBytes: number; maxBufferedBytes: number };
  input: { maxGraphemes: number; maxBytesPerGrapheme: number };
  prices: Record<ModelFamily, { inputPerMillion: number; outputPerMillion: number }>;
  drainTimeoutMs: number;
  logLevel: string;
}

/** A URL's password as *** (REDIS_URL may carry one), so a refused setting can be printed. */
export function redactUrl(raw: string): string {
  // Whatever sits between a colon and an @ is taken for a password, also in a value that is no URL.
  return raw.replace(/:[^:@/]*@/g, ':***@');
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`ORCH_ERR_CONFIG: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

function url(env: NodeJS.ProcessEnv, name: string, fallback: string | undefined, schemes: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be a URL, not "${redactUrl(raw)}"`);
  }
  if (!schemes.includes(parsed.protocol)) throw new ConfigError(name, `must use ${schemes.join(' or ')}, not "${redactUrl(raw)}"`);
  return raw;
}

function naiveSettings(env: NodeJS.ProcessEnv, profile: Profile): Record<NaiveSwitch, boolean> {
  const chosen = new Set<string>(profile === 'naive' ? naiveSwitches : []);
  for (const name of (env.GAMEDAY_NAIVE ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    if (!(naiveSwitches as readonly string[]).includes(name)) {
      throw new ConfigError('GAMEDAY_NAIVE', `names an unknown switch "${name}"; known: ${naiveSwitches.join(', ')}`);
    }
    chosen.add(name);
  }
  return Object.fromEntries(naiveSwitches.map((name) => [name, chosen.has(name)])) as Record<NaiveSwitch, boolean>;
}

function profileOf(env: NodeJS.ProcessEnv): Profile {
  const raw = env.GAMEDAY_PROFILE || 'hardened';
  if (!(profiles as readonly string[]).includes(raw)) {
    throw new ConfigError('GAMEDAY_PROFILE', `must be one of ${profiles.join(', ')}, not "${raw}"`);
  }
  return raw as Profile;
}

/** The service's one reader of the environment: validates every value and freezes the result. */
export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const profile = profileOf(env);
  const naive = naiveSettings(env, profile);
  const signingSecret = env.SESSION_SIGNING_SECRET ?? '';
  if (signingSecret.length < 16) {
    throw new ConfigError('SESSION_SIGNING_SECRET', 'must be set to a secret of at least 16 characters');
  }
  const operatorToken = env.GAMEDAY_OPERATOR_TOKEN || undefined;
  if (operatorToken !== undefined && operatorToken.length < 16) {
    throw new ConfigError('GAMEDAY_OPERATOR_TOKEN', 'must be a token of at least 16 characters, or unset to refuse catalog changes');
  }
  const config: ServiceConfig = {
    profile,
    naive: Object.freeze(naive),
    http: {
      host: env.GAMEDAY_SERVICE_HOST || '127.0.0.1', port: integer(env, 'GAMEDAY_SERVICE_PORT', 8080, 0, 65_535),
      requestTimeoutMs: integer(env, 'GAMEDAY_HTTP_REQUEST_TIMEOUT_MS', 10_000, 100, 600_000),
    },
    workers: integer(env, 'GAMEDAY_SERVICE_WORKERS', 2, 1, 64),
    fleetStatusFile: env.GAMEDAY_FLEET_STATUS_FILE || undefined,
    redis: { url: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']) as string },
    dynamodb: {
      endpoint: url(env, 'DYNAMODB_ENDPOINT', undefined, ['http:', 'https:']),
      region: env.AWS_REGION || 'us-east-1',
      table: env.DYNAMODB_TABLE || 'mangaassist-sessions',
    },
    bedrock: {
      endpoint: url(env, 'BEDROCK_ENDPOINT', undefined, ['http:', 'https:']),
      region: env.AWS_REGION || 'us-east-1',
      sonnetModelId: env.BEDROCK_SONNET_MODEL_ID || 'anthropic.claude-3-sonnet-20240229-v1:0',
      haikuModelId: env.BEDROCK_HAIKU_MODEL_ID || 'anthropic.claude-3-haiku-20240307-v1:0',
    },
    catalogPath: env.CATALOG_PATH || join(repoRoot, 'fixtures', 'manga-catalog.json'),
    signingSecret,
    operatorToken,
    sessionTtlSeconds: 86_400,
    cacheTtlSeconds: 1_800,
    responseCacheTtlSeconds: naive.staleResponseCache ? 3_600 : 300,
    context: {
      inputBudgetTokens: 6_000, retrievalBudgetTokens: 2_000, maxRecentTurns: 10, minRecentTurns: 3,
      summaryMaxTokens: 300, warnAboveTokens: 80_000, refuseAboveTokens: 150_000, maxOutputTokens: 1_024,
      // Summaries are made after a turn's done, while the customer reads and types (a couple of
      // seconds at least); a turn that comes sooner waits this long at most, not Haiku's whole call.
      summaryWaitMs: 300,
    },
    timeouts: {
      turnBudgetMs: 25_000, modelBaseMs: 10_000, modelPerThousandTokensMs: 1_000, modelMaxMs: 25_000,
      // A flowing stream's deltas come tens of ms apart, and the emulator's calibrated Sonnet
      // stall is spread over them (slow, not silent), so 5 s without a delta is a stream that
      // stopped. Short enough that a stop still leaves Haiku most of the 25 s budget.
      streamGapMs: 5_000,
      // Haiku answers a normal turn in 1.55 s at p95 (stack/bedrock/calibration.md): with less
      // than 3 s left, a restart would most likely show the customer a second cut-off answer.
      restartMinBudgetMs: 3_000,
    },
    retries: { throttleAttempts: 3, baseDelayMs: 200, maxDelayMs: 2_000 },
    ws: {
      pingIntervalMs: integer(env, 'GAMEDAY_PING_INTERVAL_MS', 20_000, 10, 600_000),
      pongTimeoutMs: integer(env, 'GAMEDAY_PONG_TIMEOUT_MS', 5_000, 10, 600_000),
      // The largest valid message (4000 graphemes of at most 4 UTF-8 bytes) must fit in one frame.
      maxFrameBytes: integer(env, 'GAMEDAY_WS_MAX_FRAME_BYTES', 65_536, 16_384, 16_777_216),
      maxBufferedBytes: integer(env, 'GAMEDAY_WS_MAX_BUFFERED_BYTES', 1_048_576, 1_024, 67_108_864),
    },
    input: { maxGraphemes: 4_000, maxBytesPerGrapheme: 4 },
    prices: {
      sonnet: { inputPerMillion: 3, outputPerMillion: 15 },
      haiku: { inputPerMillion: 0.25, outputPerMillion: 1.25 },
    },
    drainTimeoutMs: integer(env, 'GAMEDAY_DRAIN_TIMEOUT_MS', 30_000, 100, 120_000),
    logLevel: env.LOG_LEVEL || 'info',
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
