import { randomUUID } from 'node:crypto';
import { AwsError, awsErrors, writeAwsError } from './aws-errors.js';
import type { ExchangeHandler } from './dual-protocol.js';
import type { EmulatorState } from './emulator-state.js';
import { adminPrefix, handleAdmin } from './admin.js';
import { handleModelCall, operations } from './invocation.js';

// The model id stays URL-encoded here ('anthropic.claude-3-sonnet-20240229-v1%3A0').
const modelPath = /^\/model\/([^/]+)\/([a-z-]+)$/;

/** Bedrock Runtime's four operations under /model/{modelId}/…, the admin API under /_admin. */
export function createRouter(state: EmulatorState): ExchangeHandler {
  return (exchange) => {
    const queryAt = exchange.url.indexOf('?');
    const path = queryAt === -1 ? exchange.url : exchange.url.slice(0, queryAt);
    const query = new URLSearchParams(queryAt === -1 ? '' : exchange.url.slice(queryAt + 1));
    let handled: Promise<void>;
    if (path === adminPrefix || path.startsWith(`${adminPrefix}/`)) {
      handled = handleAdmin(exchange, path.slice(adminPrefix.length) || '/', query, state);
    } else {
      const match = modelPath.exec(path);
      const action = match?.[2] ?? '';
      const spec = match && exchange.method === 'POST' && Object.hasOwn(operations, action) ? operations[action] : undefined;
      if (match && spec) {
        handled = handleModelCall(exchange, spec, match[1] as string, state);
      } else {
        writeAwsError(exchange, randomUUID(), awsErrors.unknownOperation());
        return;
      }
    }
    handled.catch((error: unknown) => {
      state.logger.error({ err: error, url: exchange.url }, 'request failed unexpectedly');
      writeAwsError(exchange, randomUUID(), new AwsError('InternalServerException'));
    });
  };
}
