/**
 * k6 entry: seed 001 s1: mobile sessions behind a carrier NAT (gate: reconnects bounded, TTFT p95, no lost turns).
 * Same incident definition, metric names and thresholds as `gameday run carrier-nat` (scenarios/carrier-nat.ts).
 * WebSockets: k6/experimental/websockets (k6 v0.43+); timers: k6/timers, k6/experimental/timers before v0.50.
 * k6 judges thresholds over the whole run only: a windowed threshold runs as its whole-run form.
 *
 *   npm run build:k6 && k6 run -e BASE_URL=http://127.0.0.1:8080 -e CARRIER_WS_URL=ws://127.0.0.1:PORT/v1/ws scenarios/k6/dist/carrier-nat.js
 *
 * Settings (-e): BASE_URL, WS_URL, CARRIER_WS_URL, SCALE, DURATION, SEED, SUMMARY_PATH (lib/settings.ts).
 */
import { carrierNat } from '../carrier-nat.ts';
import { k6Script } from './lib/k6-script.ts';
import { settingsFromEnv } from './lib/settings.ts';

const settings = settingsFromEnv(carrierNat, __ENV);
const script = k6Script(carrierNat, settings);

export const options = script.options;
export const setup = script.setup;
export default script.session;
export const handleSummary = script.handleSummary;
