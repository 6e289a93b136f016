import type { Exchange } from './dual-protocol.js';

/**
 * The Bedrock Runtime errors the emulator can answer with. The SDK picks its exception class
 * from `x-amzn-errortype` (before a stream starts) or from a frame's `:exception-type`
 * (camelCase member name, mid-stream), so both names live here, side by side.
 */
export const awsErrorTypes = {
  ValidationException: { status: 400, message: 'Malformed input request, please reformat your input and try again.' },
  AccessDeniedException: { status: 403, message: 'You don\'t have access to the model with the specified model ID.' },
  ResourceNotFoundException: { status: 404, message: 'The requested resource could not be found.' },
  ModelTimeoutException: { status: 408, message: 'Model has timed out in processing the request. Try your request again.' },
  ModelErrorException: { status: 424, message: 'The model returned an error while processing the request.' },
  ModelStreamErrorException: { status: 424, message: 'The model stream ended with an error.' },
  ThrottlingException: { status: 429, message: 'Too many requests, please wait before trying again.' },
  ModelNotReadyException: { status: 429, message: 'Model is not ready to serve inference requests. Try again later.' },
  ServiceQuotaExceededException: { status: 400, message: 'The request exceeds a service quota for your account.' },
  InternalServerException: { status: 500, message: 'The server encountered an internal error while processing the request.' },
  ServiceUnavailableException: { status: 503, message: 'The service is currently unavailable. Try again later.' },
} as const;

export type AwsErrorType = keyof typeof awsErrorTypes;

/** What a request can be failed with before its answer starts (a stream error only exists mid-stream). */
export const injectableErrorTypes: readonly AwsErrorType[] = (Object.keys(awsErrorTypes) as AwsErrorType[])
  .filter((type) => type !== 'ModelStreamErrorException');

/** Exceptions the SDK's stream unions declare; anything else would reach the client as an unknown event. */
const streamExceptionMembers = {
  InvokeModelWithResponseStream: ['InternalServerException', 'ModelStreamErrorException', 'ValidationException',
    'ThrottlingException', 'ModelTimeoutException', 'ServiceUnavailableException'],
  ConverseStream: ['InternalServerException', 'ModelStreamErrorException', 'ValidationException',
    'ThrottlingException', 'ServiceUnavailableException'],
} as const satisfies Record<string, readonly AwsErrorType[]>;

export type StreamingOperation = keyof typeof streamExceptionMembers;

export const midStreamErrorTypes: readonly AwsErrorType[] = streamExceptionMembers.InvokeModelWithResponseStream;

/** An error that ends a request with Bedrock's wire shape. */
export class AwsError extends Error {
  readonly type: AwsErrorType;
  readonly status: number;

  constructor(type: AwsErrorType, message: string = awsErrorTypes[type].message) {
    super(message);
    this.name = type;
    this.type = type;
    this.status = awsErrorTypes[type].status;
  }
}

export function isAwsErrorType(name: string): name is AwsErrorType {
  return Object.hasOwn(awsErrorTypes, name);
}

/** Accepts `ThrottlingException` or the stream's `throttlingException`. */
export function parseAwsErrorType(name: string): AwsErrorType | undefined {
  const pascal = name.charAt(0).toUpperCase() + name.slice(1);
  return isAwsErrorType(pascal) ? pascal : undefined;
}

/** The `:exception-type` of a mid-stream frame; a type the operation's union lacks becomes a stream error. */
export function streamExceptionName(operation: StreamingOperation, type: AwsErrorType): string {
  const members: readonly AwsErrorType[] = streamExceptionMembers[operation];
  const member = members.includes(type) ? type : 'ModelStreamErrorException';
  return member.charAt(0).toLowerCase() + member.slice(1);
}

export const awsErrors = {
  malformed: (detail: string) =>
    new AwsError('ValidationException', `Malformed input request: ${detail}, please reformat your input and try again.`),
  invalidModel: () => new AwsError('ValidationException', 'The provided model identifier is invalid.'),
  inputTooLong: () => new AwsError('ValidationException', 'Input is too long for requested model.'),
  tooManyRequests: () => new AwsError('ThrottlingException', 'Too many requests, please wait before trying again.'),
  tooManyTokens: () => new AwsError('ThrottlingException', 'Too many tokens, please wait before trying again.'),
  unknownOperation: () => new AwsError('ResourceNotFoundException', 'The requested operation is not recognized by this service.'),
  shuttingDown: () => new AwsError('ServiceUnavailableException', 'The emulator is shutting down.'),
};

/** Bedrock's error response: the SDK reads the type from the header and the message from the body. */
export function writeAwsError(exchange: Exchange, requestId: string, error: AwsError): void {
  if (exchange.ended) return;
  exchange.writeHead(error.status, {
    'content-type': 'application/json',
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': error.type,
  });
  exchange.end(JSON.stringify({ message: error.message }));
}
