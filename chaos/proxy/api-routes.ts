import type { IncomingMessage, ServerResponse } from 'node:http';
import { posix } from 'node:path';
import type { Logger } from 'pino';
import { readBody } from './api-bodies.js';
import { asApiError } from './api-errors.js';
import { createProxy, deleteProxy, listProxies, resetAll, showProxy, updateProxy, version } from './api-proxies.js';
import { emptyResponse, errorResponse, plainError, writeResponse, type ApiResponse } from './api-response.js';
import type { RouteContext } from './api-route-context.js';
import { createToxic, deleteToxic, listToxics, showToxic, updateToxic } from './api-toxics.js';
import { populate } from './populate.js';
import type { ProxyRegistry } from './proxy-registry.js';
import { newRequestId } from './request-id.js';

interface Route {
  methods: readonly string[];
  /** Segments; `{name}` matches one non-empty segment, as gorilla/mux's default pattern. */
  path: readonly string[];
  handle(context: RouteContext): Promise<ApiResponse>;
}

function route(methods: readonly string[], path: string, handle: Route['handle']): Route {
  return { methods, path: path.split('/').slice(1), handle };
}

/** api.go's table, in its order. */
const routes: readonly Route[] = [
  route(['POST'], '/reset', resetAll),
  route(['GET'], '/proxies', listProxies),
  route(['POST'], '/proxies', createProxy),
  route(['POST'], '/populate', populate),
  route(['GET'], '/proxies/{proxy}', showProxy),
  route(['POST', 'PATCH'], '/proxies/{proxy}', updateProxy),
  route(['DELETE'], '/proxies/{proxy}', deleteProxy),
  route(['GET'], '/proxies/{proxy}/toxics', listToxics),
  route(['POST'], '/proxies/{proxy}/toxics', createToxic),
  route(['GET'], '/proxies/{proxy}/toxics/{toxic}', showToxic),
  route(['POST', 'PATCH'], '/proxies/{proxy}/toxics/{toxic}', updateToxic),
  route(['DELETE'], '/proxies/{proxy}/toxics/{toxic}', deleteToxic),
  route(['GET'], '/version', version),
];

function matchPath(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of pattern.entries()) {
    const segment = segments[index] as string;
    if (part.startsWith('{')) {
      if (segment === '') return undefined;
      params[part.slice(1, -1)] = segment;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

/** gorilla/mux redirects paths that are not clean (`//proxies`, `/a/../proxies`). */
function cleanPath(path: string): string {
  const rooted = path.startsWith('/') ? path : `/${path}`;
  return posix.normalize(rooted);
}

/**
 * Dispatches like gorilla/mux in Toxiproxy: unknown paths get Go's `404 page not found`, a
 * known path with another method an empty 405, and only routed requests pass the middleware
 * (a request id header, then the browser guard: `Mozilla/...` user agents get 403).
 */
async function dispatch(registry: ProxyRegistry, req: IncomingMessage): Promise<{ response: ApiResponse; headers?: Record<string, string> }> {
  const [rawPath = '/', query] = (req.url ?? '/').split(/\?(.*)/s, 2);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return { response: plainError(400, '400 Bad Request') };
  }
  const clean = cleanPath(path);
  if (clean !== path) {
    const location = `${encodeURI(clean)}${query ? `?${query}` : ''}`;
    return { response: { ...emptyResponse(301), headers: { Location: location } } };
  }
  const segments = path.split('/').slice(1);
  const onPath = routes.flatMap((candidate) => {
    const params = matchPath(candidate.path, segments);
    return params ? [{ candidate, params }] : [];
  });
  const matched = onPath.find(({ candidate }) => candidate.methods.includes(req.method ?? ''));
  if (!matched) return { response: onPath.length > 0 ? emptyResponse(405) : plainError(404, '404 page not found') };

  const headers = { 'X-Toxiproxy-Request-Id': newRequestId() };
  if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) return { response: plainError(403, 'User agent not allowed'), headers };
  // Read before taking the registry's turn, so a slow sender holds up no other request.
  const text = await readBody(req);
  const context: RouteContext = { registry, params: matched.params, body: () => Promise.resolve(text) };
  try {
    return { response: await registry.exclusive(() => matched.candidate.handle(context)), headers };
  } catch (error) {
    return { response: errorResponse(asApiError(error)), headers };
  }
}

export function createApiListener(registry: ProxyRegistry, logger: Logger): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    dispatch(registry, req).then(
      ({ response, headers }) => {
        logger.debug({ method: req.method, url: req.url, status: response.status }, 'api request');
        writeResponse(res, response, headers);
      },
      (error: unknown) => {
        logger.error({ err: error, method: req.method, url: req.url }, 'api request failed');
        writeResponse(res, errorResponse(asApiError(error)));
      },
    );
  };
}
