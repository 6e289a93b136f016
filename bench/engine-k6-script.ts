/**
 * The k6 side of bench/engine.ts: the same chat workload as our generator (engine-workload.ts),
 * one VU per session holding one WebSocket, against the same fake chat server. Bundled at run
 * time by engine-k6.ts (CommonJS, es2020) so it runs on k6 v0.49 and on current k6.
 * WebSockets: k6/experimental/websockets (k6 v0.43+); timers: k6/timers, k6/experimental/timers before v0.50.
 *
 * Settings (-e): BENCH_HTTP, BENCH_WS, BENCH_SESSIONS, BENCH_DURATION_MS, BENCH_SUMMARY_PATH.
 * Every frame is parsed with JSON.parse, as a k6 chat script does.
 */
import { sleep } from 'k6';
import { WebSocket, type MessageEvent } from 'k6/experimental/websockets';
import http from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';
import { clearTimeout, setTimeout } from 'k6/timers';
import { arrivalMs, firstThinkMs, messageText, thinkMs } from './engine-workload.js';

/** The VU's number, from 1 (a k6 global the shared declarations do not name). */
declare const __VU: number;

const settings = {
  http: __ENV.BENCH_HTTP ?? '',
  ws: __ENV.BENCH_WS ?? '',
  sessions: Number(__ENV.BENCH_SESSIONS ?? '1'),
  durationMs: Number(__ENV.BENCH_DURATION_MS ?? '60000'),
  summaryPath: __ENV.BENCH_SUMMARY_PATH ?? 'engine-k6-summary.json',
};

export const options = {
  scenarios: {
    chat: {
      executor: 'per-vu-iterations', vus: settings.sessions, iterations: 1,
      maxDuration: `${Math.ceil(settings.durationMs / 1_000) + 30}s`, gracefulStop: '10s',
    },
  },
  summaryTrendStats: ['med', 'p(95)', 'max', 'count'],
};

const ttft = new Trend('chat_ttft', true);
const messages = new Counter('chat_messages');
const errors = new Rate('chat_errors');

interface ChatFrame { type?: string; messageId?: string; turnCount?: number }

export default function session(): void {
  const index = __VU - 1;
  const origin = Date.now();
  sleep(arrivalMs(index) / 1_000);
  const endsAt = origin + settings.durationMs;
  const created = http.post(`${settings.http}/v1/sessions`, JSON.stringify({ customerId: `bench-${index}` }), { headers: { 'content-type': 'application/json' } });
  if (created.status !== 201) {
    errors.add(true);
    return;
  }
  const { sessionId, token } = created.json() as { sessionId: string; token: string };
  const socket = new WebSocket(`${settings.ws}?sessionId=${encodeURIComponent(sessionId)}&token=${encodeURIComponent(token)}`);
  let turn = 0;
  let messageId = '';
  let sentAt = 0;
  let firstChunkSeen = false;
  let pending: number | null = null;
  const later = (ms: number, action: () => void) => {
    pending = ms > 0 ? setTimeout(action, ms) : null;
    if (ms <= 0) action();
  };
  const send = () => {
    pending = null;
    turn += 1;
    messageId = `turn-${turn}`;
    sentAt = Date.now();
    firstChunkSeen = false;
    messages.add(1);
    socket.send(JSON.stringify({ type: 'message', messageId, text: messageText }));
  };
  const sendAfter = (waitMs: number) => {
    if (Date.now() + waitMs < endsAt) later(waitMs, send);
  };
  const end = setTimeout(() => {
    if (pending !== null) clearTimeout(pending);
    socket.close();
  }, Math.max(0, endsAt - Date.now()));
  socket.onmessage = (event: MessageEvent) => {
    const frame = JSON.parse(event.data as string) as ChatFrame;
    if (frame.type === 'ready') sendAfter(firstThinkMs(index));
    else if (frame.type === 'chunk' && frame.messageId === messageId && !firstChunkSeen) {
      firstChunkSeen = true;
      ttft.add(Date.now() - sentAt);
    } else if (frame.type === 'done' && frame.messageId === messageId) {
      errors.add(false);
      sendAfter(thinkMs);
    } else if (frame.type === 'error') errors.add(true);
  };
  socket.onerror = () => errors.add(true);
  socket.onclose = () => clearTimeout(end);
}

interface SummaryData { metrics: Record<string, { values: Record<string, number> } | undefined> }

export function handleSummary(data: SummaryData): Record<string, string> {
  const values = (name: string) => data.metrics[name]?.values ?? {};
  const summary = {
    messages: values('chat_messages').count ?? 0,
    ttftP50: values('chat_ttft').med ?? null,
    ttftP95: values('chat_ttft')['p(95)'] ?? null,
    ttftCount: values('chat_ttft').count ?? 0,
    // A Rate's passes are its true samples: here, the errors.
    errors: values('chat_errors').passes ?? 0,
  };
  return { [settings.summaryPath]: JSON.stringify(summary) };
}
