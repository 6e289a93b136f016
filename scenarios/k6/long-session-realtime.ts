/**
 * k6 entry: seed 000 s1/s3 at the model's real speed: 20-turn sessions, 60 with SHAPE=60-turn (gate: TTFT p95 < 3 s real,
 * input tokens bounded, no "Input is too long", coreference kept). Point it at a model running at real speed.
 * Same incident definition, metric names and thresholds as `gameday run long-session-realtime` (scenarios/long-session-realtime.ts).
 * WebSockets: k6/experimental/websockets (k6 v0.43+); timers: k6/timers, k6/experimental/timers before v0.50.
 * k6 judges thresholds over the whole run only: a windowed threshold runs as its whole-run form.
 *
 *   k6 run -e BASE_URL=http://127.0.0.1:8080 scenarios/k6/long-session-realtime.ts        (k6 v0.57+, TypeScript as is)
 *   npm run build:k6 && k6 run -e BASE_URL=http://127.0.0.1:8080 scenarios/k6/dist/long-session-realtime.js
 *
 * Settings (-e): BASE_URL, WS_URL, CARRIER_WS_URL, SCALE, DURATION, SEED, SHAPE (20-turn or 60-turn), SUMMARY_PATH
 * (lib/settings.ts).
 */
import { longSessionRealtime } from '../long-session-realtime.ts';
import { k6Script } from './lib/k6-script.ts';
import { settingsFromEnv } from './lib/settings.ts';

const settings = settingsFromEnv(longSessionRealtime, __ENV);
const script = k6Script(longSessionRealtime, settings);

export const options = script.options;
export const setup = script.setup;
export default script.session;
export const handleSummary = script.handleSummary;
