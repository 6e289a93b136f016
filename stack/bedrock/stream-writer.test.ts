import { EventEmitter, once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Exchange } from './dual-protocol.js';
import { type StreamFrames, type StreamResult, type TextTimeline, TimedTextStream } from './stream-writer.js';

/**
 * An Exchange whose socket we control: it can refuse writes (a stalled reader) and hang up.
 * Real sockets on loopback swallow megabytes before pushing back, far more than an answer.
 */
class ControlledExchange extends EventEmitter implements Exchange {
  readonly protocol = 'http/1.1';
  readonly method = 'POST';
  readonly url = '/';
  readonly headers = {};
  readonly writes: { atMs: number; text: string }[] = [];
  accepting = true;
  ended = false;
  private readonly origin = performance.now();

  readBody(): Promise<Buffer> { return Promise.resolve(Buffer.alloc(0)); }
  writeHead(): void {}
  write(chunk: Buffer): boolean {
    this.writes.push({ atMs: performance.now() - this.origin, text: chunk.toString() });
    return this.accepting;
  }
  end(chunk?: Buffer | string): void {
    if (chunk !== undefined) this.write(Buffer.from(chunk));
    this.ended = true;
    this.emit('ended');
  }
  onDrain(listener: () => void): void { this.once('drain', listener); }
  onAbort(listener: () => void): void { this.once('abort', listener); }
  hangUp(): void {
    this.ended = true;
    this.emit('abort');
  }
}

const frames: StreamFrames = {
  delta: (text) => Buffer.from(`[${text}]`),
  closing: (sent) => [Buffer.from(`<stop ${sent.outputTokens}>`), Buffer.from('<end>')],
};

function run(exchange: ControlledExchange, pieces: string[], timing: Pick<TextTimeline, 'ttftMs' | 'tokenIntervalMs' | 'pause'>,
  extra: Partial<StreamFrames> = {}) {
  const results: StreamResult[] = [];
  const stream = new TimedTextStream(exchange, { origin: performance.now(), pieces, ...timing },
    { ...frames, ...extra }, (result) => results.push(result), () => 20);
  stream.start();
  return { stream, results };
}

describe('TimedTextStream', () => {
  it('sends the first text at the TTFT, then groups the tokens due within a tick, then closes', async () => {
    const exchange = new ControlledExchange();
    const pieces = Array.from({ length: 40 }, (_, i) => `t${i} `);
    const { results } = run(exchange, pieces, { ttftMs: 60, tokenIntervalMs: 10 });
    await once(exchange, 'ended');
    const texts = exchange.writes.map((write) => write.text);
    expect(texts.at(-2)).toBe('<stop 40>');
    expect(texts.at(-1)).toBe('<end>');
    const deltas = exchange.writes.slice(0, -2);
    expect(deltas.map((write) => write.text.slice(1, -1)).join('')).toBe(pieces.join(''));
    expect(deltas[0]?.atMs).toBeGreaterThanOrEqual(59);
    // 390 ms of tokens at one chunk per 20 ms tick: far fewer chunks than tokens, but several.
    expect(deltas.length).toBeGreaterThanOrEqual(4);
    expect(deltas.length).toBeLessThan(30);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ outcome: 'ok', outputTokens: 40 });
    expect(results[0]?.ttftMs).toBeGreaterThanOrEqual(59);
  });

  it('waits for a stalled reader to drain, then sends what fell due in one chunk', async () => {
    const exchange = new ControlledExchange();
    exchange.accepting = false;
    const pieces = Array.from({ length: 30 }, (_, i) => `${i},`);
    const { results } = run(exchange, pieces, { ttftMs: 0, tokenIntervalMs: 2 });
    await sleep(150);
    expect(exchange.writes).toHaveLength(1);
    exchange.accepting = true;
    const ended = once(exchange, 'ended');
    exchange.emit('drain');
    await ended;
    const firstText = exchange.writes[0]?.text.slice(1, -1) ?? '';
    expect(exchange.writes[1]?.text).toBe(`[${pieces.join('').slice(firstText.length)}]`);
    expect(results[0]).toMatchObject({ outcome: 'ok', outputTokens: 30 });
  });

  it('stops its timer and reports client_closed when the reader hangs up', async () => {
    const exchange = new ControlledExchange();
    const { results } = run(exchange, Array.from({ length: 100 }, () => 'x'), { ttftMs: 10, tokenIntervalMs: 10 });
    await sleep(80);
    exchange.hangUp();
    const writesAtHangUp = exchange.writes.length;
    await sleep(100);
    expect(exchange.writes).toHaveLength(writesAtHangUp);
    expect(results).toHaveLength(1);
    expect(results[0]?.outcome).toBe('client_closed');
    expect(results[0]?.outputTokens).toBeGreaterThan(0);
    expect(results[0]?.outputTokens).toBeLessThan(100);
  });

  it('replaces the chunk after afterChunks with the exception frame and ends there', async () => {
    const exchange = new ControlledExchange();
    const { results } = run(exchange, Array.from({ length: 50 }, () => 'y'), { ttftMs: 0, tokenIntervalMs: 10 },
      { midStreamError: { afterChunks: 2, frame: Buffer.from('<boom>') } });
    await once(exchange, 'ended');
    expect(exchange.writes.map((write) => write.text.startsWith('[') ? 'delta' : write.text)).toEqual(['delta', 'delta', '<boom>']);
    const sent = exchange.writes.slice(0, 2).reduce((sum, write) => sum + write.text.length - 2, 0);
    expect(results[0]).toMatchObject({ outcome: 'mid_stream_error', outputTokens: sent });
  });

  it('pauses once after afterChunks chunks, then sends the rest at its pace and closes as usual', async () => {
    const exchange = new ControlledExchange();
    const pieces = Array.from({ length: 40 }, (_, i) => `${i},`);
    const { results } = run(exchange, pieces, { ttftMs: 0, tokenIntervalMs: 5, pause: { afterChunks: 2, ms: 300 } });
    await once(exchange, 'ended');
    const deltas = exchange.writes.filter((write) => write.text.startsWith('['));
    expect(deltas.map((write) => write.text.slice(1, -1)).join('')).toBe(pieces.join(''));
    const gaps = deltas.slice(1).map((write, i) => write.atMs - (deltas[i]?.atMs ?? 0));
    // The one long gap is the pause, right after the second chunk; the others are ticks.
    expect(gaps[1]).toBeGreaterThanOrEqual(290);
    expect(gaps.filter((gap) => gap >= 290)).toHaveLength(1);
    // Paused, not cut: the stream after it takes about what it would have without it.
    expect((deltas.at(-1)?.atMs ?? 0) - (deltas[2]?.atMs ?? 0)).toBeLessThan(290);
    expect(results[0]).toMatchObject({ outcome: 'ok', outputTokens: 40 });
  });

  it('counts an empty piece as a token but never sends an empty chunk', async () => {
    const exchange = new ControlledExchange();
    const { results } = run(exchange, ['😀', '', 'a'], { ttftMs: 0, tokenIntervalMs: 30 });
    await once(exchange, 'ended');
    expect(exchange.writes.every((write) => write.text !== '[]')).toBe(true);
    expect(results[0]?.outputTokens).toBe(3);
  });

  it('ends with the given frame when stopped', async () => {
    const exchange = new ControlledExchange();
    const { stream, results } = run(exchange, ['a', 'b'], { ttftMs: 1_000, tokenIntervalMs: 10 });
    stream.stop(Buffer.from('<shutdown>'));
    expect(exchange.writes.map((write) => write.text)).toEqual(['<shutdown>']);
    expect(results[0]).toMatchObject({ outcome: 'shutdown', outputTokens: 0, ttftMs: null });
  });
});
