import { isDeepStrictEqual } from 'node:util';
import { type FaultDefinition, type FaultObservation, FaultRevertError } from './fault.js';
import { lifecycleFault } from './lifecycle.js';
import { FaultOptions } from './options.js';

type Json = Record<string, unknown>;

/** The emulator's admin API (stack/bedrock/admin.ts): JSON in and out, 400 with a message naming the field. */
async function admin(base: string, method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Json> {
  const response = await fetch(`${base}${path}`, {
    method,
    signal,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) {
    let detail = text.trim();
    try {
      detail = String((JSON.parse(text) as { message?: unknown }).message ?? detail);
    } catch {
      // not the emulator's JSON error: show the text as it came
    }
    throw new Error(`${method} ${base}${path} answered ${response.status}: ${detail}`);
  }
  return JSON.parse(text) as Json;
}

/** The quota limits a PUT /quotas accepts, from what GET /quotas shows (which adds the window and usage). */
function quotaLimits(view: Json): Json {
  return Object.fromEntries(Object.entries(view).filter(([key]) => key !== 'windowMs' && key !== 'usage'));
}

function flatten(prefix: string, value: unknown, into: FaultObservation): FaultObservation {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(prefix ? `${prefix}.${key}` : key, inner, into);
  } else {
    into[prefix] = Array.isArray(value) ? value.join(',') : (value as string | number | boolean | null);
  }
  return into;
}

interface BedrockSettings {
  adminUrl: string;
  faults: Json;
  quotas: Json;
}

/**
 * Slowness and errors from the Bedrock emulator, switched through its admin API. Revert puts
 * back exactly the faults and quotas it found (read before the change), then checks them.
 */
function createBedrockFault({ adminUrl, faults, quotas }: BedrockSettings) {
  let before: { faults: Json; quotas: Json } | null = null;
  const description = `bedrock ${Object.entries(flatten('', { ...faults, ...quotas }, {})).map(([key, value]) => `${key}=${value}`).join(' ')}`;
  return lifecycleFault({
    description,
    async apply(signal) {
      before = {
        faults: await admin(adminUrl, 'GET', '/faults', undefined, signal),
        quotas: quotaLimits(await admin(adminUrl, 'GET', '/quotas', undefined, signal)),
      };
      const observation: FaultObservation = {};
      if (Object.keys(faults).length > 0) flatten('', await admin(adminUrl, 'PUT', '/faults', faults, signal), observation);
      if (Object.keys(quotas).length > 0) flatten('quotas', quotaLimits(await admin(adminUrl, 'PUT', '/quotas', quotas, signal)), observation);
      return observation;
    },
    async revert() {
      const saved = before;
      if (!saved) return { restored: false, reason: 'the faults were never read, so nothing was changed' };
      try {
        await admin(adminUrl, 'PUT', '/faults', saved.faults);
        await admin(adminUrl, 'PUT', '/quotas', saved.quotas);
        const now = { faults: await admin(adminUrl, 'GET', '/faults'), quotas: quotaLimits(await admin(adminUrl, 'GET', '/quotas')) };
        if (!isDeepStrictEqual(now, saved)) throw new Error(`the emulator shows ${JSON.stringify(now)} instead of ${JSON.stringify(saved)}`);
        return flatten('', { restored: true, ...saved.faults }, {});
      } catch (error) {
        throw new FaultRevertError(description, [
          `the Bedrock emulator at ${adminUrl} may keep the fault (${(error as Error).message}); restore with PUT /faults ${JSON.stringify(saved.faults)} and PUT /quotas ${JSON.stringify(saved.quotas)}`,
        ], { cause: error });
      }
    },
  });
}

const list = (text: string) => text.split(',').map((entry) => entry.trim()).filter(Boolean);

export const bedrockFault: FaultDefinition = {
  name: 'bedrock',
  summary: 'Bedrock emulator slowness, errors, throttling, mid-stream failures and pauses, and lower quotas (its admin API)',
  options: [
    { name: 'extra-ttft', kind: 'duration', description: 'extra time to the first token' },
    { name: 'latency-factor', kind: 'number', description: 'multiplies modelled latencies (above 0, at most 1000)' },
    { name: 'error-rate', kind: 'number', description: 'share of calls that fail with error-type, 0 to 1' },
    { name: 'error-type', kind: 'string', description: 'the AWS error, e.g. InternalServerException, ServiceUnavailableException' },
    { name: 'throttle-rate', kind: 'number', description: 'share of calls throttled (ThrottlingException), 0 to 1' },
    { name: 'mid-stream-error', kind: 'string', description: 'end streams with this exception, e.g. ModelStreamErrorException' },
    { name: 'mid-stream-after', kind: 'integer', default: 0, description: 'text chunks sent before the mid-stream error' },
    { name: 'mid-stream-pause', kind: 'duration', description: 'streams fall silent this long mid-answer, then go on' },
    { name: 'mid-stream-pause-after', kind: 'integer', default: 0, description: 'text chunks sent before the mid-stream pause' },
    { name: 'models', kind: 'string', description: 'only these models: sonnet, haiku or model ids, comma-separated (default all)' },
    { name: 'requests-per-minute', kind: 'integer', description: 'lower the requests-per-minute quota' },
    { name: 'tokens-per-minute', kind: 'integer', description: 'lower the tokens-per-minute quota' },
    { name: 'quota-models', kind: 'string', default: 'sonnet,haiku', description: 'model families the quota options apply to' },
  ],
  create(raw, targets) {
    const options = new FaultOptions('bedrock', bedrockFault.options, raw);
    const faults: Json = {};
    const extraTtft = options.maybeNumber('extra-ttft', { min: 0, max: 600_000 });
    if (extraTtft !== undefined) faults.extraTtftMs = extraTtft;
    const latencyFactor = options.maybeNumber('latency-factor', { min: 0, max: 1_000 });
    if (latencyFactor !== undefined) {
      options.check(latencyFactor > 0, 'latency-factor', 'must be above 0');
      faults.latencyFactor = latencyFactor;
    }
    const errorRate = options.maybeNumber('error-rate', { min: 0, max: 1 });
    if (errorRate !== undefined) faults.errorRate = errorRate;
    const errorType = options.maybeString('error-type');
    if (errorType !== undefined) faults.errorType = errorType;
    const throttleRate = options.maybeNumber('throttle-rate', { min: 0, max: 1 });
    if (throttleRate !== undefined) faults.throttleRate = throttleRate;
    const midStream = options.maybeString('mid-stream-error');
    if (midStream !== undefined) faults.midStreamError = { type: midStream, afterChunks: options.number('mid-stream-after', { min: 0 }) };
    const pause = options.maybeNumber('mid-stream-pause', { min: 0, max: 600_000 });
    if (pause !== undefined) faults.midStreamPause = { ms: pause, afterChunks: options.number('mid-stream-pause-after', { min: 0 }) };
    const models = options.maybeString('models');
    if (models !== undefined) faults.models = list(models);

    const limits: Json = {};
    const requests = options.maybeNumber('requests-per-minute', { min: 0 });
    if (requests !== undefined) limits.requestsPerMinute = requests;
    const tokens = options.maybeNumber('tokens-per-minute', { min: 0 });
    if (tokens !== undefined) limits.tokensPerMinute = tokens;
    const quotas: Json = Object.keys(limits).length > 0 ? Object.fromEntries(list(options.string('quota-models')).map((family) => [family, limits])) : {};

    options.check(Object.keys(faults).some((key) => key !== 'models' && key !== 'errorType') || Object.keys(quotas).length > 0, 'extra-ttft',
      'or another effect is needed: extra-ttft, latency-factor, error-rate, throttle-rate, mid-stream-error, mid-stream-pause, requests-per-minute or tokens-per-minute');
    return createBedrockFault({ adminUrl: targets.bedrockAdmin, faults, quotas });
  },
};
