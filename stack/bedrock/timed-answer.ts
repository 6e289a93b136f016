import { performance } from 'node:perf_hooks';
import { AwsError, awsErrors, streamExceptionName, type StreamingOperation, writeAwsError } from './aws-errors.js';
import type { Exchange } from './dual-protocol.js';
import type { ActiveCall, EmulatorState } from './emulator-state.js';
import { eventStreamContentType, exceptionFrame } from './event-stream.js';
import type { MidStreamError, MidStreamPause } from './faults.js';
import type { OperationSpec } from './invocation.js';
import type { ModelInfo } from './models.js';
import type { NewRecord } from './records.js';
import type { Reply } from './responder.js';
import { type StreamResult, TimedTextStream } from './stream-writer.js';
import { splitTokens } from './tokens.js';
import type { Completion } from './wire-format.js';

/** A call that passed every check, with its answer and timing decided. */
export interface PlannedAnswer {
  requestId: string;
  spec: OperationSpec;
  model: ModelInfo;
  reply: Reply;
  record: NewRecord;
  /** performance.now() at arrival. */
  origin: number;
  messageId: string;
  ttftMs: number;
  tokenIntervalMs: number;
  midStreamError: MidStreamError | undefined;
  midStreamPause: MidStreamPause | undefined;
}

// A client that went away before any response had a status; nginx's name for it.
const clientClosedStatus = 499;

function completionOf(answer: PlannedAnswer, outputTokens: number, firstByteLatencyMs: number, latencyMs: number): Completion {
  return {
    messageId: answer.messageId, model: answer.model, inputTokens: answer.record.inputTokens,
    outputTokens, stopReason: answer.reply.stopReason, latencyMs, firstByteLatencyMs,
  };
}

/** InvokeModel and Converse: the whole answer at once, after the modelled total time. */
function answerWhole(exchange: Exchange, answer: PlannedAnswer, state: EmulatorState): void {
  const { reply, record } = answer;
  const totalMs = record.plannedDurationMs ?? answer.ttftMs;
  const elapsed = () => performance.now() - answer.origin;
  const finish = (fields: Partial<NewRecord>) => {
    clearTimeout(timer);
    state.untrack(call);
    state.records.add({ ...record, durationMs: elapsed(), ...fields });
  };
  const call: ActiveCall = {
    streaming: false,
    stop: () => {
      const error = awsErrors.shuttingDown();
      writeAwsError(exchange, answer.requestId, error);
      finish({ status: error.status, outcome: 'shutdown', errorType: error.type });
    },
  };
  const timer = setTimeout(() => {
    const latencyMs = elapsed();
    const completion = completionOf(answer, reply.outputTokens, latencyMs, latencyMs);
    exchange.writeHead(200, {
      'content-type': 'application/json',
      'x-amzn-requestid': answer.requestId,
      'x-amzn-bedrock-input-token-count': String(record.inputTokens),
      'x-amzn-bedrock-output-token-count': String(reply.outputTokens),
      'x-amzn-bedrock-invocation-latency': String(Math.round(latencyMs)),
    });
    exchange.end(JSON.stringify(answer.spec.format.responseBody(completion, reply.text)));
    finish({ status: 200, outcome: 'ok', outputTokens: reply.outputTokens, ttftMs: latencyMs });
  }, Math.max(0, totalMs - elapsed()));
  state.track(call);
  exchange.onAbort(() => finish({ status: clientClosedStatus, outcome: 'client_closed' }));
}

/** The streaming operations: headers and the opening frames at once, then text over time. */
function answerStream(exchange: Exchange, answer: PlannedAnswer, state: EmulatorState): void {
  const { format } = answer.spec;
  const operation = answer.spec.name as StreamingOperation;
  exchange.writeHead(200, {
    'content-type': eventStreamContentType,
    'x-amzn-requestid': answer.requestId,
    'x-amzn-bedrock-content-type': 'application/json',
  });
  for (const frame of format.streamOpening({ messageId: answer.messageId, model: answer.model, inputTokens: answer.record.inputTokens })) {
    exchange.write(frame);
  }
  const failure = answer.midStreamError;
  const onFinish = (result: StreamResult) => {
    state.untrack(call);
    const errorType = result.outcome === 'mid_stream_error' ? failure?.type
      : result.outcome === 'shutdown' ? 'ServiceUnavailableException' : undefined;
    state.records.add({
      ...answer.record, status: 200, outcome: result.outcome, outputTokens: result.outputTokens,
      ttftMs: result.ttftMs, durationMs: result.durationMs, ...(errorType ? { errorType } : {}),
    });
  };
  const stream = new TimedTextStream(exchange, {
    origin: answer.origin, ttftMs: answer.ttftMs, tokenIntervalMs: answer.tokenIntervalMs, pieces: splitTokens(answer.reply.text),
    ...(answer.midStreamPause ? { pause: answer.midStreamPause } : {}),
  }, {
    delta: (text) => format.streamDelta(text),
    closing: (sent) => format.streamClosing(completionOf(answer, sent.outputTokens, sent.ttftMs, sent.durationMs)),
    midStreamError: failure && {
      afterChunks: failure.afterChunks,
      frame: exceptionFrame(streamExceptionName(operation, failure.type), new AwsError(failure.type).message),
    },
  }, onFinish, () => state.chunkTickMs());
  const call: ActiveCall = {
    streaming: true,
    stop: () => stream.stop(exceptionFrame(streamExceptionName(operation, 'ServiceUnavailableException'), awsErrors.shuttingDown().message)),
  };
  state.track(call);
  stream.start();
}

export function answerTimed(exchange: Exchange, answer: PlannedAnswer, state: EmulatorState): void {
  if (answer.spec.streaming) answerStream(exchange, answer, state);
  else answerWhole(exchange, answer, state);
}
