import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * The fleet's /metrics. Every worker keeps its own registry, and a scrape lands on whichever
 * worker the cluster hands the connection to: served as is, each scrape would see one worker's
 * counters and Prometheus would take the switch for a reset. So a worker asks the primary, which
 * sums every live worker's registry (prom-client's AggregatorRegistry), and serves that.
 */

const request = 'gameday:fleet-metrics-request';
const answer = 'gameday:fleet-metrics-answer';
/** prom-client gives up on a worker after 5 s (one being killed, say); a little more for the round trip. */
const answerTimeoutMs = 6_000;

interface MetricsRequest { type: typeof request; id: string }
interface MetricsAnswer { type: typeof answer; id: string; text?: string; error?: string }

const isRequest = (message: unknown): message is MetricsRequest => (message as MetricsRequest | null)?.type === request;
const isAnswer = (message: unknown): message is MetricsAnswer => (message as MetricsAnswer | null)?.type === answer;

/** In the primary: answers the workers' requests with every worker's metrics summed. */
export function serveFleetMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: unknown) => {
    if (!isRequest(message)) return;
    const reply = (fields: Partial<MetricsAnswer>) => {
      if (worker.isConnected()) worker.send({ type: answer, id: message.id, ...fields } satisfies MetricsAnswer);
    };
    aggregator.clusterMetrics().then((text) => reply({ text }), (error: Error) => reply({ error: error.message }));
  });
}

/**
 * In a worker: the registry prom-client reports to the primary, and a reader of the fleet's
 * summed metrics. Outside a fleet (a worker built in-process by tests) the reader is the registry's own.
 */
export function fleetMetricsReader(registry: Registry): () => Promise<string> {
  if (!cluster.isWorker || !process.send) return () => registry.metrics();
  AggregatorRegistry.setRegistries([registry]);
  // prom-client answers the primary's requests only once an AggregatorRegistry was built here.
  new AggregatorRegistry();
  const waiting = new Map<string, { resolve(text: string): void; reject(error: Error): void }>();
  process.on('message', (message: unknown) => {
    if (!isAnswer(message)) return;
    const pending = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.text !== undefined) pending?.resolve(message.text);
    else pending?.reject(new Error(`the fleet's metrics could not be gathered: ${message.error ?? 'no answer'}`));
  });
  return () => new Promise<string>((resolve, reject) => {
    const id = randomUUID();
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error(`the fleet's primary did not answer for its metrics within ${answerTimeoutMs} ms`));
    }, answerTimeoutMs);
    waiting.set(id, {
      resolve: (text) => { clearTimeout(timer); resolve(text); },
      reject: (error) => { clearTimeout(timer); reject(error); },
    });
    process.send?.({ type: request, id } satisfies MetricsRequest);
  });
}
