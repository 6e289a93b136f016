import { parse } from 'yaml';

/** A compose service as our checks read it: short and long syntaxes normalised, variables interpolated. */
export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command: string[];
  environment: Record<string, string>;
  ports: Array<{ hostIp: string | null; published: number | null; target: number }>;
  volumes: Array<{ source: string; target: string; readOnly: boolean }>;
  dependsOn: Record<string, string>;
  healthcheck: boolean;
  profiles: string[];
  user?: string;
}

export type ComposeServices = Record<string, ComposeService>;

const variable = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Compose's interpolation: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, $$. */
export function interpolate(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(variable, (match, braced: string | undefined, operator: string | undefined, argument: string | undefined, bare: string | undefined) => {
    if (match === '$$') return '$';
    const name = (braced ?? bare) as string;
    const value = env[name];
    const unset = operator?.startsWith(':') ? !value : value === undefined;
    if (operator?.endsWith('-')) return unset ? argument ?? '' : value as string;
    if (operator?.endsWith('?') && unset) throw new Error(`compose needs ${name}: ${argument}`);
    return value ?? '';
  });
}

function deepInterpolate(value: unknown, env: Readonly<Record<string, string | undefined>>): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => deepInterpolate(item, env));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, deepInterpolate(item, env)]));
  return value;
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

function environmentOf(raw: unknown): Record<string, string> {
  if (Array.isArray(raw)) {
    return Object.fromEntries(raw.map((entry) => {
      const [name, ...value] = String(entry).split('=');
      return [name as string, value.join('=')];
    }));
  }
  return Object.fromEntries(Object.entries((raw ?? {}) as Record<string, unknown>).map(([name, value]) => [name, value === null ? '' : String(value)]));
}

function portOf(raw: unknown): ComposeService['ports'][number] {
  if (typeof raw === 'object' && raw !== null) {
    const long = raw as { target: number; published?: number | string; host_ip?: string };
    return { hostIp: long.host_ip ?? null, published: long.published === undefined ? null : Number(long.published), target: Number(long.target) };
  }
  const parts = String(raw).split(':');
  const target = Number(parts.at(-1));
  const published = parts.length > 1 ? Number(parts.at(-2)) : null;
  return { hostIp: parts.length > 2 ? parts.slice(0, -2).join(':') : null, published, target };
}

function volumeOf(raw: unknown): ComposeService['volumes'][number] {
  if (typeof raw === 'object' && raw !== null) {
    const long = raw as { source: string; target: string; read_only?: boolean };
    return { source: long.source, target: long.target, readOnly: long.read_only === true };
  }
  const [source = '', target = '', mode = ''] = String(raw).split(':');
  return { source, target, readOnly: mode.split(',').includes('ro') };
}

function dependsOnOf(raw: unknown): Record<string, string> {
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((name) => [String(name), 'service_started']));
  return Object.fromEntries(Object.entries((raw ?? {}) as Record<string, { condition?: string }>)
    .map(([name, settings]) => [name, settings?.condition ?? 'service_started']));
}

function buildOf(raw: unknown): ComposeService['build'] {
  if (raw === undefined) return undefined;
  if (typeof raw === 'string') return { context: raw, dockerfile: 'Dockerfile' };
  const build = raw as { context?: string; dockerfile?: string };
  return { context: build.context ?? '.', dockerfile: build.dockerfile ?? 'Dockerfile' };
}

/** Parses a compose file and interpolates its variables from `env` (empty: every default). */
export function parseCompose(text: string, env: Readonly<Record<string, string | undefined>> = {}): ComposeServices {
  const document = deepInterpolate(parse(text), env) as { services?: Record<string, Record<string, unknown>> };
  return Object.fromEntries(Object.entries(document.services ?? {}).map(([name, raw]) => {
    const service: ComposeService = {
      command: typeof raw.command === 'string' ? raw.command.split(/\s+/) : asList(raw.command).map(String),
      environment: environmentOf(raw.environment),
      ports: asList(raw.ports).map(portOf),
      volumes: asList(raw.volumes).map(volumeOf),
      dependsOn: dependsOnOf(raw.depends_on),
      healthcheck: raw.healthcheck !== undefined && (raw.healthcheck as { disable?: boolean }).disable !== true,
      profiles: asList(raw.profiles).map(String),
      ...(typeof raw.image === 'string' ? { image: raw.image } : {}),
      ...(raw.build !== undefined ? { build: buildOf(raw.build) } : {}),
      ...(raw.user !== undefined ? { user: String(raw.user) } : {}),
    };
    return [name, service];
  }));
}
