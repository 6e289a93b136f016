/**
 * The service's one catalogue of errors. Every error a client can see comes from here: a
 * stable code, an HTTP status, and a Japanese message for the chat user. `detail` is for logs.
 */
export class ServiceError extends Error {
  readonly code: string;
  readonly status: number;
  readonly messageJa: string;
  readonly detail: string;

  constructor(code: string, status: number, messageJa: string, detail: string, options?: { cause?: unknown }) {
    super(`${code}: ${detail}`, options);
    this.name = 'ServiceError';
    this.code = code;
    this.status = status;
    this.messageJa = messageJa;
    this.detail = detail;
  }
}

const retryLater = 'しばらくしてからもう一度お試しください。';

export const serviceErrors = {
  badRequest: (detail: string) =>
    new ServiceError('ORCH_ERR_BAD_REQUEST', 400, 'リクエストの形式が正しくありません。', detail),
  malformedFrame: (detail: string) =>
    new ServiceError('ORCH_ERR_MALFORMED_FRAME', 400, 'メッセージの形式が正しくありません。', detail),
  frameTooLarge: (bytes: number, limit: number) =>
    new ServiceError('ORCH_ERR_FRAME_TOO_LARGE', 413, 'メッセージが長すぎます (最大4000文字)', `frame of ${bytes} bytes, limit ${limit}`),
  messageTooLong: (detail: string) =>
    new ServiceError('ORCH_ERR_MESSAGE_TOO_LONG', 400, 'メッセージが長すぎます (最大4000文字)', detail),
  emptyMessage: () =>
    new ServiceError('ORCH_ERR_EMPTY_MESSAGE', 400, 'メッセージを入力してください。', 'the message text is empty'),
  invalidSessionId: () =>
    new ServiceError('ORCH_ERR_INVALID_SESSION_ID', 400, 'セッションIDが正しくありません。', 'the session id does not match ^[a-zA-Z0-9_-]{20,}$'),
  sessionNotFound: () =>
    new ServiceError('ORCH_ERR_SESSION_NOT_FOUND', 404, 'セッションが見つかりません。新しい会話を始めてください。', 'no such session, it expired, or the token does not own it'),
  unauthenticated: () =>
    new ServiceError('ORCH_ERR_UNAUTHENTICATED', 401, 'ログインが必要です。', 'a Bearer token is required'),
  operatorUnauthenticated: () =>
    new ServiceError('ORCH_ERR_UNAUTHENTICATED', 401, '運用者の認証が必要です。',
      'changing the catalog needs the operator token as Authorization: Bearer <token>'),
  notOperator: () =>
    new ServiceError('ORCH_ERR_NOT_OPERATOR', 403, 'この操作は許可されていません。', 'the bearer token is not the operator token'),
  operatorTokenNotConfigured: () =>
    new ServiceError('ORCH_ERR_OPERATOR_TOKEN_NOT_CONFIGURED', 403, 'この操作は許可されていません。',
      'no operator token is configured (GAMEDAY_OPERATOR_TOKEN), so the catalog cannot be changed; set it and restart the service'),
  contextTooLarge: (tokens: number, limit: number) =>
    new ServiceError('ORCH_ERR_CONTEXT_TOO_LARGE', 422, `会話が長くなりすぎました。新しい会話を始めてください。`,
      `estimated input of ${tokens} tokens is above the ${limit} limit`),
  modelInputTooLong: (detail: string) =>
    new ServiceError('ORCH_ERR_MODEL_INPUT_TOO_LONG', 502, `会話が長くなりすぎました。新しい会話を始めてください。`, detail),
  modelThrottled: (detail: string) =>
    new ServiceError('ORCH_ERR_MODEL_THROTTLED', 503, `ただいま混み合っています。${retryLater}`, detail),
  modelTimeout: (detail: string) =>
    new ServiceError('ORCH_ERR_MODEL_TIMEOUT', 504, `応答に時間がかかっています。${retryLater}`, detail),
  modelFailed: (detail: string) =>
    new ServiceError('ORCH_ERR_MODEL_FAILED', 502, `回答を作成できませんでした。${retryLater}`, detail),
  storeFailed: (detail: string) =>
    new ServiceError('ORCH_ERR_STORE_FAILED', 503, `会話を保存できませんでした。${retryLater}`, detail),
  concurrentTurn: () =>
    new ServiceError('ORCH_ERR_CONCURRENT_TURN', 409, '前のメッセージを処理中です。少しお待ちください。', 'another turn of this session is in flight'),
  draining: () =>
    new ServiceError('ORCH_ERR_DRAINING', 503, `サーバーを切り替えています。${retryLater}`, 'this worker is shutting down'),
  internal: (detail: string) =>
    new ServiceError('ORCH_ERR_INTERNAL', 500, `エラーが発生しました。${retryLater}`, detail),
  cacheFailed: (detail: string) =>
    new ServiceError('ORCH_ERR_CACHE_FAILED', 503, `エラーが発生しました。${retryLater}`, detail),
  productNotFound: (id: string) =>
    new ServiceError('ORCH_ERR_PRODUCT_NOT_FOUND', 404, '商品が見つかりません。', `no product ${id}`),
  routeNotFound: (route: string) =>
    new ServiceError('ORCH_ERR_NOT_FOUND', 404, 'ページが見つかりません。', `no route ${route}`),
  slowReader: (buffered: number, limit: number) =>
    new ServiceError('ORCH_ERR_SLOW_READER', 503, `通信が不安定です。${retryLater}`, `${buffered} bytes unsent, limit ${limit}`),
  heartbeatTimeout: (timeoutMs: number) =>
    new ServiceError('ORCH_ERR_HEARTBEAT_TIMEOUT', 408, `接続が切れました。${retryLater}`, `no frame within ${timeoutMs} ms of a ping`),
  wsProtocol: (detail: string) =>
    new ServiceError('ORCH_ERR_WS_PROTOCOL', 400, 'メッセージの形式が正しくありません。', detail),
  notReady: (detail: string) =>
    new ServiceError('ORCH_ERR_NOT_READY', 503, `ただいま準備中です。${retryLater}`, detail),
};

/** Any thrown value as a ServiceError, so nothing reaches a client (or a log) uncoded. */
export function asServiceError(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return serviceErrors.internal(detail);
}

/** The model layer counts its own failures in errors_total (it knows the cause); its callers count the rest. */
export function countedByModelLayer(error: ServiceError): boolean {
  return error.code.startsWith('ORCH_ERR_MODEL_');
}
