import type { ServerResponse } from 'node:http';
import { apiErrorJson, type ApiError } from './api-errors.js';
import { encodeGoJson, type GoJsonValue } from './go-json.js';

/** One answer of the API, built by a handler and written by the router. */
export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function jsonResponse(status: number, value: GoJsonValue): ApiResponse {
  return { status, headers: { 'Content-Type': 'application/json' }, body: encodeGoJson(value) };
}

export function emptyResponse(status: number): ApiResponse {
  return { status, headers: {}, body: '' };
}

/**
 * Go's http.Error: plain text, nosniff and a trailing newline, whatever the text is. Toxiproxy
 * sends its JSON error bodies through it, which is why they are served as text/plain.
 */
export function plainError(status: number, text: string): ApiResponse {
  return {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
    body: `${text}\n`,
  };
}

export function errorResponse(error: ApiError): ApiResponse {
  return plainError(error.status, apiErrorJson(error));
}

export function writeResponse(res: ServerResponse, response: ApiResponse, extraHeaders: Record<string, string> = {}): void {
  const body = Buffer.from(response.body, 'utf8');
  const headers: Record<string, string | number> = { ...extraHeaders, ...response.headers };
  // Go sends no length on 204 answers, nor on an empty answer to HEAD; everything else has one.
  const bodiless = response.status === 204 || (res.req.method === 'HEAD' && body.length === 0);
  if (!bodiless) headers['Content-Length'] = body.length;
  res.writeHead(response.status, headers);
  res.end(body);
}
