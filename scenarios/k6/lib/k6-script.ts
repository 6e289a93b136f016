/**
 * An incident as a k6 script: `options` (a named arrival-rate scenario from the incident's load
 * shape, its thresholds), `setup` (the target must answer /healthz, else the run aborts at once),
 * the iteration (one session of the incident's session factory), and `handleSummary`.
 */
import http from 'k6/http';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import { sessionRandom } from '../../../engine/offered-load.ts';
import { type Incident, sessionsOf } from '../../incident.ts';
import { plateauCounting, plateauMessagesMetric } from './plateau-count.ts';
import { createK6Metrics } from './k6-metrics.ts';
import { k6Options } from './k6-options.ts';
import { runK6Session } from './k6-session.ts';
import { handleSummaryFor } from './k6-summary.ts';
import type { K6Settings } from './settings.ts';

export function k6Script(incident: Incident, settings: K6Settings) {
  const plateauMessages = new Counter(plateauMessagesMetric);
  const plateau = incident.load(settings.scale, settings.durationMs, settings.shape).plateau;
  const k6Metrics = createK6Metrics();
  const metrics = plateauCounting(k6Metrics, plateau, () => Date.now() - exec.scenario.startTime, (value) => plateauMessages.add(value));
  const sessions = sessionsOf(incident, settings.shape);
  const target = { baseUrl: settings.baseUrl, wsUrl: settings.wsUrl, carrierWsUrl: settings.carrierWsUrl };
  return {
    options: k6Options(incident, settings),
    setup() {
      const health = http.get(`${settings.baseUrl}/healthz`, { timeout: '5s', tags: { name: 'GET /healthz' } });
      if (health.status !== 200) {
        exec.test.abort(`${settings.baseUrl}/healthz answered ${health.status || health.error}: is the service running at BASE_URL?`);
      }
      const sample = sessions(0, sessionRandom(settings.seed, 0, 'plan'));
      if (sample.client.via === 'carrier' && !settings.carrierWsUrl) {
        exec.test.abort(`${incident.id} sends mobile sessions through the carrier proxy: set CARRIER_WS_URL`);
      }
    },
    async session() {
      const index = exec.scenario.iterationInTest;
      k6Metrics.zeroCounters();
      plateauMessages.add(0);
      const plan = sessions(index, sessionRandom(settings.seed, index, 'plan'));
      try {
        await runK6Session(target, plan, metrics, sessionRandom(settings.seed, index, 'client'));
      } catch (error) {
        // An unhandled rejection would end the iteration unseen and the run would still exit 0.
        metrics.rate('chat_errors', true);
        console.error(`session ${index}: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    handleSummary: handleSummaryFor(incident.id, settings.summaryPath),
  };
}
