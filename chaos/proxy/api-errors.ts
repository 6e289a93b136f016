import { encodeGoJson } from './go-json.js';

/**
 * An error the API answers with Toxiproxy's body `{"error":"...","status":N}`. The texts are
 * the real server's (api.go), since clients and people match on them.
 */
export class ApiError extends Error {
  readonly status: number;

  constructor(message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

export const apiErrors = {
  badRequestBody: (detail: string) => new ApiError(`bad request body: ${detail}`, 400),
  missingField: (detail: string) => new ApiError(`missing required field: ${detail}`, 400),
  proxyNotFound: () => new ApiError('proxy not found', 404),
  proxyAlreadyExists: () => new ApiError('proxy already exists', 409),
  invalidStream: () => new ApiError('stream was invalid, can be either upstream or downstream', 400),
  invalidToxicType: () => new ApiError('invalid toxic type', 400),
  toxicAlreadyExists: () => new ApiError('toxic already exists', 409),
  toxicNotFound: () => new ApiError('toxic not found', 404),
};

/** Anything else that goes wrong (a listen that fails) is a 500 with its message, as in Go. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(error instanceof Error ? error.message : String(error), 500);
}

export function apiErrorJson(error: ApiError): string {
  return encodeGoJson({ error: error.message, status: error.status });
}
