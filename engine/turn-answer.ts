/**
 * The answer a client has heard so far for its turn in flight, kept alike by the built-in
 * engine's client and the k6 one. A `restart` frame (protocol v1: the service's model stream
 * failed after chunks went out and the answer starts again on another model) voids the text,
 * never the time of the first chunk: the customer was reading from then on, so the turn's
 * time to first token is its first chunk ever, restart or not.
 */
export interface AnswerSoFar<Part> {
  /** The clock reading of the first text chunk, -1 before it. */
  firstChunkAt: number;
  /** The text heard, in parts; null when the caller does not keep the reply. */
  parts: Part[] | null;
}

/** `now` is read for the first chunk only: chunks are most of the traffic. */
export function heardChunk<Part>(answer: AnswerSoFar<Part>, part: Part, now: () => number): void {
  if (answer.firstChunkAt < 0) answer.firstChunkAt = now();
  answer.parts?.push(part);
}

/** The chunks that follow are a new answer from its beginning (their seq starts again at 0). */
export function heardRestart<Part>(answer: AnswerSoFar<Part>): void {
  if (answer.parts !== null) answer.parts = [];
}

export function ttftOf(answer: AnswerSoFar<unknown>, sentAt: number): number | null {
  return answer.firstChunkAt < 0 ? null : answer.firstChunkAt - sentAt;
}
