import { describe, expect, it } from 'vitest';
import { toxicKinds } from '../toxics/registry.js';
import { errorBody, useCompatTarget, type CompatSession, type ToxicJson } from './compat-kit.js';
import { announceSkippedTargets, compatTargets } from './targets.js';

announceSkippedTargets('compat/toxics-http');

async function addToxic(toxiproxy: CompatSession, proxy: string, body: object): Promise<ToxicJson> {
  const answer = await toxiproxy.call('POST', `/proxies/${proxy}/toxics`, body);
  if (answer.status !== 200) throw new Error(`adding a toxic answered ${answer.status}: ${answer.text}`);
  return answer.json<ToxicJson>();
}

describe.each(compatTargets)('the toxic API over plain HTTP ($name)', (target) => {
  describe.skipIf(target.skipReason !== undefined)(`against ${target.name}`, () => {
    const toxiproxy = useCompatTarget(target);

    it('POST answers 200 (not 201) with the defaults: downstream, toxicity 1, name <type>_<stream>', async () => {
      await toxiproxy.createProxy('p', '127.0.0.1:1');
      const answer = await toxiproxy.call('POST', '/proxies/p/toxics', { type: 'latency', attributes: { latency: 100, jitter: 10 } });
      expect(answer.status).toBe(200);
      expect(answer.header('content-type')).toBe('application/json');
      expect(answer.text).toBe('{"attributes":{"latency":100,"jitter":10},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1}');
      const listed = await toxiproxy.call('GET', '/proxies/p');
      expect(listed.json<{ toxics: ToxicJson[] }>().toxics).toEqual([answer.json()]);
    });

    it('matches stream ignoring case but keeps it as sent, and lists upstream toxics first', async () => {
      await toxiproxy.createProxy('p', '127.0.0.1:1');
      await addToxic(toxiproxy, 'p', { type: 'noop', name: 'down_1' });
      const odd = await addToxic(toxiproxy, 'p', { type: 'noop', stream: 'UpStream' });
      expect(odd).toMatchObject({ name: 'noop_UpStream', stream: 'UpStream' });
      await addToxic(toxiproxy, 'p', { type: 'noop', name: 'down_2', stream: 'downstream' });
      await addToxic(toxiproxy, 'p', { type: 'noop', name: 'up_2', stream: 'upstream' });
      const listed = await toxiproxy.call('GET', '/proxies/p/toxics');
      expect(listed.status).toBe(200);
      expect(listed.json<ToxicJson[]>().map((toxic) => toxic.name)).toEqual(['noop_UpStream', 'up_2', 'down_1', 'down_2']);
    });

    it('refuses bad streams and types with Toxiproxy\'s 400 texts, and duplicate names with 409', async () => {
      await toxiproxy.createProxy('p', '127.0.0.1:1');
      const cases: [object, number, string][] = [
        [{ type: 'noop', stream: '' }, 400, 'stream was invalid, can be either upstream or downstream'],
        [{ type: 'noop', stream: 'sideways' }, 400, 'stream was invalid, can be either upstream or downstream'],
        [{ stream: 'upstream' }, 400, 'invalid toxic type'],
        [{ type: 'down' }, 400, 'invalid toxic type'],
        [{ type: 'latency', name: 'bad', attributes: { latency: 'slow' } }, 400,
          'bad request body: json: cannot unmarshal string into Go struct field LatencyToxic.attributes.latency of type int64'],
      ];
      for (const [body, status, message] of cases) {
        const answer = await toxiproxy.call('POST', '/proxies/p/toxics', body);
        expect([answer.status, answer.text, answer.header('content-type')]).toEqual([status, errorBody(message, status), 'text/plain; charset=utf-8']);
      }
      await addToxic(toxiproxy, 'p', { type: 'noop' });
      const duplicate = await toxiproxy.call('POST', '/proxies/p/toxics', { type: 'latency', name: 'noop_downstream' });
      expect([duplicate.status, duplicate.text]).toEqual([409, errorBody('toxic already exists', 409)]);
      const noProxy = await toxiproxy.call('POST', '/proxies/nope/toxics', { type: 'noop' });
      expect([noProxy.status, noProxy.text]).toEqual([404, errorBody('proxy not found', 404)]);
      expect((await toxiproxy.call('GET', '/proxies/p/toxics')).json<ToxicJson[]>()).toHaveLength(1);
    });

    it('an update merges attributes, ignores name, stream and type, and keeps toxicity unless sent', async () => {
      await toxiproxy.createProxy('p', '127.0.0.1:1');
      await addToxic(toxiproxy, 'p', { type: 'latency', toxicity: 0.3, attributes: { latency: 100, jitter: 10 } });
      const merged = await toxiproxy.call('POST', '/proxies/p/toxics/latency_downstream', {
        attributes: { jitter: 20 }, name: 'renamed', stream: 'upstream', type: 'noop',
      });
      expect(merged.status).toBe(200);
      expect(merged.text).toBe('{"attributes":{"latency":100,"jitter":20},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":0.3}');
      const patched = await toxiproxy.call('PATCH', '/proxies/p/toxics/latency_downstream', { toxicity: 0.5 });
      expect(patched.json()).toMatchObject({ toxicity: 0.5, attributes: { latency: 100, jitter: 20 } });
      const shown = await toxiproxy.call('GET', '/proxies/p/toxics/latency_downstream');
      expect(shown.text).toBe(patched.text);
    });

    it('unknown toxics are 404 "toxic not found"; DELETE answers 204 with no body', async () => {
      await toxiproxy.createProxy('p', '127.0.0.1:1');
      await addToxic(toxiproxy, 'p', { type: 'noop' });
      for (const method of ['GET', 'POST', 'DELETE']) {
        const answer = await toxiproxy.call(method, '/proxies/p/toxics/nope', method === 'POST' ? { toxicity: 1 } : undefined);
        expect([answer.status, answer.text]).toEqual([404, errorBody('toxic not found', 404)]);
      }
      const deleted = await toxiproxy.call('DELETE', '/proxies/p/toxics/noop_downstream');
      expect([deleted.status, deleted.text]).toEqual([204, '']);
      expect((await toxiproxy.call('GET', '/proxies/p/toxics')).text).toBe('[]');
    });

    it('keeps toxics when the proxy is disabled, and answers with them in the proxy', async () => {
      await toxiproxy.createProxy('p', '127.0.0.1:1');
      const toxic = await addToxic(toxiproxy, 'p', { type: 'timeout', stream: 'upstream', attributes: { timeout: 5 } });
      const disabled = await toxiproxy.call('POST', '/proxies/p', { enabled: false });
      expect(disabled.json<{ toxics: ToxicJson[] }>().toxics).toEqual([toxic]);
    });
  });
});

describe('toxic types only ours has', () => {
  describe.skipIf(!toxicKinds.has('nat_idle'))('nat_idle', () => {
    const [ours] = compatTargets;
    const toxiproxy = useCompatTarget(ours as (typeof compatTargets)[number]);

    it('is accepted with its defaults, which tells our proxy from the real one', async () => {
      await toxiproxy.createProxy('carrier', '127.0.0.1:1');
      const answer = await toxiproxy.call('POST', '/proxies/carrier/toxics', { type: 'nat_idle', stream: 'upstream' });
      expect([answer.status, answer.text]).toEqual([
        200,
        '{"attributes":{"idle_ms":30000,"mode":"blackhole"},"name":"nat_idle_upstream","type":"nat_idle","stream":"upstream","toxicity":1}',
      ]);
    });
  });
});
