import { compositeFault } from './composite.js';
import type { FaultDefinition } from './fault.js';
import { checkProxy, describeToxic, toxicFault } from './network.js';
import { FaultOptions } from './options.js';

/**
 * A slow DynamoDB as the service sees it: latency on its responses through the `dynamodb`
 * proxy, and optionally a share of connections reset (reset_peer) on their first request.
 */
export const dynamodbSlowFault: FaultDefinition = {
  name: 'dynamodb-slow',
  summary: 'DynamoDB latency (and optionally connection resets) through the dynamodb proxy',
  options: [
    { name: 'latency', kind: 'duration', default: '500ms', description: 'added to every response' },
    { name: 'jitter', kind: 'duration', default: '0ms', description: 'latency varies by up to this much either way' },
    { name: 'resets', kind: 'number', default: 0, description: 'share of connections reset (RST) on their first request, 0 to 1' },
    { name: 'proxy', kind: 'string', default: 'dynamodb', description: 'the proxy in front of DynamoDB' },
  ],
  create(raw, targets) {
    const options = new FaultOptions('dynamodb-slow', dynamodbSlowFault.options, raw);
    const proxy = options.string('proxy');
    checkProxy(targets, proxy, 'proxy', 'dynamodb-slow');
    const resets = options.number('resets', { min: 0, max: 1 });
    const latency = {
      proxy,
      type: 'latency',
      stream: 'downstream' as const,
      toxicity: 1,
      attributes: { latency: Math.round(options.number('latency', { min: 0 })), jitter: Math.round(options.number('jitter', { min: 0 })) },
    };
    const description = `dynamodb-slow ${proxy} latency=${latency.attributes.latency}ms jitter=${latency.attributes.jitter}ms`;
    const slow = toxicFault(targets, latency, description);
    if (resets === 0) return slow;
    const reset = { proxy, type: 'reset_peer', stream: 'upstream' as const, toxicity: resets, attributes: { timeout: 0 } };
    return compositeFault(`${description} resets=${resets}`, [slow, toxicFault(targets, reset, `dynamodb-slow ${describeToxic(reset)}`)]);
  },
};
