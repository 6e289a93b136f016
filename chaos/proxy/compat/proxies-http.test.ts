import { describe, expect, it } from 'vitest';
import { portOf } from '../proxy-test-kit.js';
import { errorBody, useCompatTarget } from './compat-kit.js';
import { announceSkippedTargets, compatTargets } from './targets.js';

announceSkippedTargets('compat/proxies-http');

const plainText = 'text/plain; charset=utf-8';

describe.each(compatTargets)('the proxy API over plain HTTP ($name)', (target) => {
  describe.skipIf(target.skipReason !== undefined)(`against ${target.name}`, () => {
    const toxiproxy = useCompatTarget(target);

    it('GET /version answers JSON with a trailing newline', async () => {
      const answer = await toxiproxy.call('GET', '/version');
      expect(answer.status).toBe(200);
      expect(answer.header('content-type')).toBe('application/json;charset=utf-8');
      expect(answer.text).toBe('{"version": "2.12.0"}\n');
    });

    it('POST /proxies answers 201 with the proxy, its listen showing the real port', async () => {
      const upstream = await toxiproxy.echoUpstream();
      const answer = await toxiproxy.call('POST', '/proxies', { name: 'web', listen: 'localhost:0', upstream: upstream.address });
      expect(answer.status).toBe(201);
      expect(answer.header('content-type')).toBe('application/json');
      const listen = answer.json<{ listen: string }>().listen;
      expect(listen).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(portOf(listen)).toBeGreaterThan(0);
      expect(answer.text).toBe(
        `{"name":"web","listen":"${listen}","upstream":"${upstream.address}","enabled":true,"Logger":{},"toxics":[]}`,
      );
    });

    it('a proxy created disabled shows the :0 it was given until it is enabled', async () => {
      const created = await toxiproxy.createProxy('later', '127.0.0.1:1', { enabled: false });
      expect(created).toMatchObject({ listen: '127.0.0.1:0', enabled: false });
      const enabled = await toxiproxy.call('PATCH', '/proxies/later', { enabled: true });
      expect(enabled.status).toBe(200);
      expect(enabled.json()).toMatchObject({ enabled: true, listen: expect.stringMatching(/^127\.0\.0\.1:[1-9]\d*$/) });
    });

    it('GET /proxies is an object keyed by name, in name order, with the same shape as one proxy', async () => {
      const b = await toxiproxy.createProxy('b', '127.0.0.1:1');
      const a = await toxiproxy.createProxy('a', '127.0.0.1:2');
      const answer = await toxiproxy.call('GET', '/proxies');
      expect(answer.status).toBe(200);
      const one = (await toxiproxy.call('GET', '/proxies/a')).text;
      expect(one).toBe(`{"name":"a","listen":"${a.listen}","upstream":"127.0.0.1:2","enabled":true,"Logger":{},"toxics":[]}`);
      expect(answer.text).toBe(`{"a":${one},"b":{"name":"b","listen":"${b.listen}","upstream":"127.0.0.1:1","enabled":true,"Logger":{},"toxics":[]}}`);
    });

    it('errors are JSON served as text/plain with nosniff and a newline', async () => {
      const answer = await toxiproxy.call('GET', '/proxies/nope');
      expect(answer.status).toBe(404);
      expect(answer.header('content-type')).toBe(plainText);
      expect(answer.header('x-content-type-options')).toBe('nosniff');
      expect(answer.text).toBe(errorBody('proxy not found', 404));
    });

    it('creating a name that exists is 409; missing fields and bad bodies are 400', async () => {
      await toxiproxy.createProxy('twice', '127.0.0.1:1');
      const again = await toxiproxy.call('POST', '/proxies', { name: 'twice', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
      expect([again.status, again.text]).toEqual([409, errorBody('proxy already exists', 409)]);
      const noName = await toxiproxy.call('POST', '/proxies', { listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
      expect([noName.status, noName.text]).toEqual([400, errorBody('missing required field: name', 400)]);
      const noUpstream = await toxiproxy.call('POST', '/proxies', { name: 'x', listen: '127.0.0.1:0' });
      expect([noUpstream.status, noUpstream.text]).toEqual([400, errorBody('missing required field: upstream', 400)]);
      const empty = await toxiproxy.call('POST', '/proxies', '');
      expect([empty.status, empty.text]).toEqual([400, errorBody('bad request body: EOF', 400)]);
      const broken = await toxiproxy.call('POST', '/proxies', 'not json');
      expect([broken.status, broken.text]).toEqual([400, errorBody("bad request body: invalid character 'o' in literal null (expecting 'u')", 400)]);
      const wrongType = await toxiproxy.call('POST', '/proxies', { name: 5, upstream: 'x:1' });
      expect(wrongType.text).toBe(errorBody('bad request body: json: cannot unmarshal number into Go struct field Proxy.name of type string', 400));
    });

    it('a listen that cannot be bound is a 500 with Go\'s error, and creates nothing', async () => {
      const first = await toxiproxy.createProxy('first', '127.0.0.1:1');
      const clash = await toxiproxy.call('POST', '/proxies', { name: 'clash', listen: first.listen, upstream: '127.0.0.1:1' });
      expect([clash.status, clash.text]).toEqual([500, errorBody(`listen tcp ${first.listen}: bind: address already in use`, 500)]);
      const badPort = await toxiproxy.call('POST', '/proxies', { name: 'clash', listen: '127.0.0.1:99999', upstream: '127.0.0.1:1' });
      expect([badPort.status, badPort.text]).toEqual([500, errorBody('listen tcp: address 99999: invalid port', 500)]);
      expect((await toxiproxy.call('GET', '/proxies/clash')).status).toBe(404);
    });

    it('POST and PATCH update upstream and enabled, keep what is left out, and ignore name', async () => {
      const created = await toxiproxy.createProxy('moving', '127.0.0.1:1');
      const moved = await toxiproxy.call('POST', '/proxies/moving', { upstream: '127.0.0.1:2', name: 'renamed' });
      expect(moved.status).toBe(200);
      expect(moved.json()).toMatchObject({ name: 'moving', listen: created.listen, upstream: '127.0.0.1:2', enabled: true });
      const disabled = await toxiproxy.call('PATCH', '/proxies/moving', { enabled: false });
      expect(disabled.json()).toMatchObject({ listen: created.listen, upstream: '127.0.0.1:2', enabled: false });
      const unknown = await toxiproxy.call('PATCH', '/proxies/nope', { enabled: false });
      expect([unknown.status, unknown.text]).toEqual([404, errorBody('proxy not found', 404)]);
    });

    it('DELETE answers 204 with no body, then the proxy is gone', async () => {
      await toxiproxy.createProxy('doomed', '127.0.0.1:1');
      const deleted = await toxiproxy.call('DELETE', '/proxies/doomed');
      expect([deleted.status, deleted.text, deleted.header('content-type')]).toEqual([204, '', null]);
      const again = await toxiproxy.call('DELETE', '/proxies/doomed');
      expect([again.status, again.text]).toEqual([404, errorBody('proxy not found', 404)]);
    });

    it('POST /reset answers 204, enables every proxy and removes every toxic', async () => {
      await toxiproxy.createProxy('off', '127.0.0.1:1', { enabled: false });
      await toxiproxy.createProxy('toxic', '127.0.0.1:1');
      await toxiproxy.call('POST', '/proxies/toxic/toxics', { type: 'latency', attributes: { latency: 10 } });
      const reset = await toxiproxy.call('POST', '/reset');
      expect([reset.status, reset.text]).toEqual([204, '']);
      const all = (await toxiproxy.call('GET', '/proxies')).json<Record<string, { enabled: boolean; toxics: unknown[]; listen: string }>>();
      expect(all.off).toMatchObject({ enabled: true, toxics: [], listen: expect.stringMatching(/:[1-9]\d*$/) });
      expect(all.toxic).toMatchObject({ enabled: true, toxics: [] });
    });

    it('unknown routes get Go\'s 404 page, known paths with another method an empty 405', async () => {
      for (const path of ['/nope', '/proxies/a/toxics/b/c', '/proxies/']) {
        const answer = await toxiproxy.call('GET', path);
        expect([answer.status, answer.text, answer.header('content-type')]).toEqual([404, '404 page not found\n', plainText]);
        expect(answer.header('x-content-type-options')).toBe('nosniff');
      }
      const wrongMethod = await toxiproxy.call('DELETE', '/version');
      expect([wrongMethod.status, wrongMethod.text]).toEqual([405, '']);
    });

    it('browsers (User-Agent Mozilla/...) get 403; a bare "Mozilla" passes', async () => {
      const browser = await toxiproxy.call('GET', '/proxies', undefined, { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)' });
      expect([browser.status, browser.text, browser.header('content-type')]).toEqual([403, 'User agent not allowed\n', plainText]);
      expect(browser.header('x-content-type-options')).toBe('nosniff');
      const bare = await toxiproxy.call('GET', '/proxies', undefined, { 'user-agent': 'Mozilla' });
      expect([bare.status, bare.text]).toEqual([200, '{}']);
      // The guard sits behind the router: an unknown path is still a 404.
      const unknown = await toxiproxy.call('GET', '/nope', undefined, { 'user-agent': 'Mozilla/5.0' });
      expect(unknown.status).toBe(404);
    });

    it('tags routed answers with an X-Toxiproxy-Request-Id and redirects unclean paths', async () => {
      const answer = await toxiproxy.call('GET', '/proxies');
      expect(answer.header('x-toxiproxy-request-id')).toMatch(/^[0-9a-v]{20}$/);
      const unclean = await toxiproxy.call('GET', '//proxies');
      expect([unclean.status, unclean.header('location')]).toEqual([301, '/proxies']);
    });
  });
});
