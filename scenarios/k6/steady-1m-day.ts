/**
 * k6 entry: 1M msg/day on the JST diurnal curve (gate: TTFT p95 < 3 s, errors < 1%).
 * Same incident definition, metric names and thresholds as `gameday run steady-1m-day` (scenarios/steady-1m-day.ts).
 * WebSockets: k6/experimental/websockets (k6 v0.43+); timers: k6/timers, k6/experimental/timers before v0.50.
 * k6 judges thresholds over the whole run only: a windowed threshold runs as its whole-run form.
 *
 *   k6 run -e BASE_URL=http://127.0.0.1:8080 scenarios/k6/steady-1m-day.ts                 (k6 v0.57+, TypeScript as is)
 *   npm run build:k6 && k6 run -e BASE_URL=http://127.0.0.1:8080 scenarios/k6/dist/steady-1m-day.js
 *
 * Settings (-e): BASE_URL, WS_URL, CARRIER_WS_URL, SCALE, DURATION, SEED, SUMMARY_PATH (lib/settings.ts).
 */
import { steady1mDay } from '../steady-1m-day.ts';
import { k6Script } from './lib/k6-script.ts';
import { settingsFromEnv } from './lib/settings.ts';

const settings = settingsFromEnv(steady1mDay, __ENV);
const script = k6Script(steady1mDay, settings);

export const options = script.options;
export const setup = script.setup;
export default script.session;
export const handleSummary = script.handleSummary;
