import { describe, expect, it } from 'vitest';
import { isLoopbackHost, listenAddress } from '../../../src/api/app.js';
import { ConfigError } from '../../../src/domain/errors.js';
import { API_TOKENS, testConfig } from './fixtures.js';

function recorder() {
  const warnings: string[] = [];
  return { warnings, logger: { warn: (_obj: unknown, msg?: string) => void warnings.push(String(msg)) } };
}

describe('listenAddress', () => {
  it.each(['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1'])('%s is loopback', (h) => {
    expect(isLoopbackHost(h)).toBe(true);
  });
  it.each(['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'example.com', '128.0.0.1', '127.0.0.256', ''])('%s is not loopback', (h) => {
    expect(isLoopbackHost(h)).toBe(false);
  });

  it('without tokens, listens on loopback and says so in one warning line', () => {
    const { warnings, logger } = recorder();
    expect(listenAddress(testConfig({ apiTokens: [] }), logger)).toEqual({ host: '127.0.0.1', port: 0 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/no API tokens configured.*loopback/);
  });

  it('without tokens, refuses a non-loopback host with a clear error naming api.host', () => {
    const { logger } = recorder();
    const config = testConfig({ apiTokens: [] });
    for (const host of ['0.0.0.0', '::', '10.1.2.3']) {
      let caught: unknown;
      try {
        listenAddress(config, logger, { host, port: 8080 });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).issues[0]!.path).toBe('api.host');
      expect((caught as Error).message).toContain(`refusing to listen on ${host}`);
      expect((caught as Error).message).toContain('FLEET_API_TOKENS_FILE');
    }
  });

  it('with tokens, listens anywhere it is asked to, without a warning', () => {
    const { warnings, logger } = recorder();
    expect(listenAddress(testConfig({ apiTokens: API_TOKENS, host: '0.0.0.0' }), logger, { port: 9090 })).toEqual({
      host: '0.0.0.0',
      port: 9090,
    });
    expect(warnings).toHaveLength(0);
  });
});
