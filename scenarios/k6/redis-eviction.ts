/**
 * k6 entry: seed 002: Redis evicts under memory pressure (gate: no context lost).
 * Same incident definition, metric names and thresholds as `gameday run redis-eviction` (scenarios/redis-eviction.ts).
 * WebSockets: k6/experimental/websockets (k6 v0.43+); timers: k6/timers, k6/experimental/timers before v0.50.
 * k6 judges thresholds over the whole run only: a windowed threshold runs as its whole-run form.
 *
 *   k6 run -e BASE_URL=http://127.0.0.1:8080 scenarios/k6/redis-eviction.ts                 (k6 v0.57+, TypeScript as is)
 *   npm run build:k6 && k6 run -e BASE_URL=http://127.0.0.1:8080 scenarios/k6/dist/redis-eviction.js
 *
 * Settings (-e): BASE_URL, WS_URL, CARRIER_WS_URL, SCALE, DURATION, SEED, SUMMARY_PATH (lib/settings.ts).
 */
import { redisEviction } from '../redis-eviction.ts';
import { k6Script } from './lib/k6-script.ts';
import { settingsFromEnv } from './lib/settings.ts';

const settings = settingsFromEnv(redisEviction, __ENV);
const script = k6Script(redisEviction, settings);

export const options = script.options;
export const setup = script.setup;
export default script.session;
export const handleSummary = script.handleSummary;
