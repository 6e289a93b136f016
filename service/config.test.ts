import { describe, expect, it } from 'vitest';
import { ConfigError, loadServiceConfig, redactUrl } from './config.js';

const secret = 'test-signing-secret-0123456789';

describe('service config', () => {
  it('never prints a password from a refused URL', () => {
    const refused = () => loadServiceConfig({ SESSION_SIGNING_SECRET: secret, REDIS_URL: 'http://default:hunter2-password@10.0.0.5:6379' });
    expect(refused).toThrow(ConfigError);
    expect(refused).toThrow(/REDIS_URL must use redis: or rediss:, not "http:\/\/default:\*\*\*@10\.0\.0\.5:6379"/);
    expect(() => loadServiceConfig({ SESSION_SIGNING_SECRET: secret, REDIS_URL: '::not a url:hunter2@' })).not.toThrow(/hunter2/);
  });

  it('keeps URLs without a password as they are', () => {
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redactUrl('rediss://:pw@cache.internal:6380/0')).toBe('rediss://:***@cache.internal:6380/0');
  });

  it('takes the request timeout from GAMEDAY_HTTP_REQUEST_TIMEOUT_MS, 10 s by default', () => {
    expect(loadServiceConfig({ SESSION_SIGNING_SECRET: secret }).http.requestTimeoutMs).toBe(10_000);
    expect(loadServiceConfig({ SESSION_SIGNING_SECRET: secret, GAMEDAY_HTTP_REQUEST_TIMEOUT_MS: '500' }).http.requestTimeoutMs).toBe(500);
  });
});
