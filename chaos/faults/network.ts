import type { Stream } from '../proxy/toxic.js';
import { type Fault, type FaultDefinition, FaultOptionError, FaultRevertError, type FaultTargets } from './fault.js';
import { lifecycleFault } from './lifecycle.js';
import { FaultOptions, formatAttributes, parseAttributes } from './options.js';
import { addToxic, removeToxic, type ToxicRequest, uniqueToxicName } from './toxiproxy-calls.js';

export const streams: readonly Stream[] = ['upstream', 'downstream'];

/** Throws FaultOptionError unless the stack has a proxy by that name. */
export function checkProxy(targets: FaultTargets, proxy: string, option: string, fault: string): void {
  const names = Object.keys(targets.proxies);
  if (names.includes(proxy)) return;
  const known = names.length > 0 ? `it has ${names.join(', ')}` : 'it has none (is Toxiproxy part of the stack?)';
  throw new FaultOptionError(option, `${fault}: option "${option}": no proxy "${proxy}" in the stack; ${known}`);
}

export function describeToxic(request: Omit<ToxicRequest, 'name'>): string {
  const toxicity = request.toxicity < 1 ? ` toxicity=${request.toxicity}` : '';
  const attributes = formatAttributes(request.attributes);
  return `${request.proxy} ${request.type} ${request.stream}${attributes ? ` ${attributes}` : ''}${toxicity}`;
}

/** One toxic on one proxy; revert removes exactly that toxic (by its unique name), also when it is already gone. */
export function toxicFault(targets: FaultTargets, toxic: Omit<ToxicRequest, 'name'>, description: string): Fault {
  const request: ToxicRequest = { ...toxic, name: uniqueToxicName(toxic.type, toxic.stream) };
  const api = targets.toxiproxyApi;
  return lifecycleFault({
    description,
    async apply() {
      const added = await addToxic(api, request);
      return {
        proxy: request.proxy,
        toxic: added.name,
        type: added.type,
        stream: added.stream,
        toxicity: added.toxicity,
        attributes: formatAttributes(added.attributes),
      };
    },
    async revert() {
      try {
        const result = await removeToxic(api, request.proxy, request.name);
        return { proxy: request.proxy, toxic: request.name, removed: result === 'removed', alreadyGone: result === 'gone' };
      } catch (error) {
        throw new FaultRevertError(description, [`toxic "${request.name}" may still be on proxy "${request.proxy}" at ${api} (${(error as Error).message})`], { cause: error });
      }
    },
  });
}

export const networkFault: FaultDefinition = {
  name: 'network',
  summary: 'any Toxiproxy toxic (latency, bandwidth, timeout, reset_peer, ...) on a named proxy',
  options: [
    { name: 'proxy', kind: 'string', default: 'carrier', description: 'the proxy: carrier (clients → service), redis, dynamodb or bedrock' },
    { name: 'type', kind: 'string', description: 'toxic type (required): latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, noop, nat_idle' },
    { name: 'stream', kind: 'choice', choices: streams, default: 'downstream', description: 'upstream (client → server) or downstream' },
    { name: 'toxicity', kind: 'number', default: 1, description: 'share of connections affected, 0 to 1' },
    { name: 'attributes', kind: 'string', description: 'toxic attributes as k=v pairs, e.g. latency=1000,jitter=100' },
  ],
  create(raw, targets) {
    const options = new FaultOptions('network', networkFault.options, raw);
    const proxy = options.string('proxy');
    checkProxy(targets, proxy, 'proxy', 'network');
    const type = options.string('type');
    options.check(/^[a-z_]+$/.test(type), 'type', `must be a toxic type such as latency or timeout, not "${type}"`);
    const attributesText = options.maybeString('attributes');
    const toxic = {
      proxy,
      type,
      stream: options.string('stream') as Stream,
      toxicity: options.number('toxicity', { min: 0, max: 1 }),
      attributes: attributesText ? parseAttributes(attributesText, 'attributes', 'network') : {},
    };
    return toxicFault(targets, toxic, `network ${describeToxic(toxic)}`);
  },
};
