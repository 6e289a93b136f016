export interface ProgressState {
  /** What is running, e.g. "flash-sale (hardened)". */
  label?: string;
  elapsedMs: number;
  totalMs: number;
  sessionsActive: number;
  sessionsStarted: number;
  sessionsDropped: number;
  messages: number;
  errors: number;
  /** p95 of chat_ttft so far; null before the first answer. */
  ttftP95Ms: number | null;
}

export interface ProgressOptions {
  /** A terminal gets one line rewritten in place; anything else (CI logs, files) plain lines. */
  tty: boolean;
  write: (text: string) => void;
  now?: () => number;
}

export interface Progress {
  update(state: ProgressState): void;
  /** Writes the last state if it is not on screen yet and ends the line; later updates are ignored. */
  done(): void;
}

/** A terminal redraws cheaply, but more than 4 times a second is flicker nobody reads. */
const TTY_INTERVAL_MS = 250;
/** A log keeps every line: one every 10 s shows a run is alive without burying the rest. */
const LOG_INTERVAL_MS = 10_000;
const CLEAR_TO_END_OF_LINE = '\x1b[K';

function clock(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

const count = (n: number) => n.toLocaleString('en-US');

export function formatProgress(state: ProgressState): string {
  // Past the total no session starts; the open ones finish their turn (and may reconnect) first.
  const time = state.elapsedMs <= state.totalMs
    ? `${clock(state.elapsedMs)}/${clock(state.totalMs)}`
    : `${clock(state.totalMs)}/${clock(state.totalMs)} +${clock(state.elapsedMs - state.totalMs)} finishing`;
  const parts = [
    time,
    `sessions ${count(state.sessionsActive)} active, ${count(state.sessionsStarted)} started, ${count(state.sessionsDropped)} dropped`,
    `messages ${count(state.messages)}`,
    `errors ${count(state.errors)}`,
    `p95 TTFT ${state.ttftP95Ms === null ? '-' : `${Math.round(state.ttftP95Ms)} ms`}`,
  ];
  return (state.label ? `${state.label}  ` : '') + parts.join('  ');
}

export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const interval = options.tty ? TTY_INTERVAL_MS : LOG_INTERVAL_MS;
  // A log's first line comes after one interval; a terminal shows the first state at once.
  let lastWrite = options.tty ? -Infinity : now();
  let latest: ProgressState | null = null;
  let shown: ProgressState | null = null;
  let finished = false;

  const show = (state: ProgressState) => {
    shown = state;
    options.write(options.tty ? `\r${formatProgress(state)}${CLEAR_TO_END_OF_LINE}` : `${formatProgress(state)}\n`);
  };

  return {
    update(state) {
      if (finished) return;
      latest = state;
      const time = now();
      if (time - lastWrite < interval) return;
      lastWrite = time;
      show(state);
    },
    done() {
      if (finished) return;
      finished = true;
      if (latest && latest !== shown) show(latest);
      if (options.tty && shown) options.write('\n');
    },
  };
}
