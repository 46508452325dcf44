import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, loadSitesFile, parseSitesConfig, type Config } from '../../../src/config.js';
import { sha256Hex } from '../../../src/config/api-tokens-file.js';
import { ConfigError } from '../../../src/domain/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'fleet-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const KEY_HEX = 'a1'.repeat(32);
const SITES = {
  defaults: { region: 'us-east-1', iamRole: 'SSMServiceRole', maxBatchSize: 1000, batchWindowMs: 2000, activationTtlHours: 24, tags: { Owner: 'factory' } },
  sites: [{ id: 'plant-berlin-1', region: 'eu-central-1', iamRole: 'EdgeSSMRole', tags: { Site: 'berlin-1' }, maxBatchSize: 500 }],
};

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the documented defaults', () => {
    const c = loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX } });
    expect(c).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      keyPrefix: 'fleet',
      awsRegion: 'us-east-1',
      apiTokens: [],
      ackMqttUrl: undefined,
      logLevel: 'info',
      api: { host: '127.0.0.1', port: 8080, bodyLimitBytes: 16 * 1024 * 1024 },
      topics: { credentials: 'fleet/enroll/{siteId}/{thingName}/activation', ack: 'fleet/enroll/{siteId}/{thingName}/ack' },
      retry: { maxAttempts: 8, baseDelayMs: 200, maxDelayMs: 20_000 },
      rateLimits: { ssmPerSecond: 50, createActivationPerSecond: 5, iotPublishPerSecond: 10_000, tagPerSecond: 10 },
      maxRebatches: 3,
      reconcileIntervalMs: 1000,
      nodeTags: 'device',
    });
    expect(c.secretKey.equals(Buffer.from(KEY_HEX, 'hex'))).toBe(true);
    expect(c.sites.sites.size).toBe(0);
  });

  it('reads every variable', () => {
    const sites = file('sites-ok.json', SITES);
    const tokens = file('tokens-ok.json', { tokens: [{ name: 'line-1', token: 'line-token-0123456789', role: 'line', sites: ['plant-berlin-1'] }] });
    const c = loadConfig({
      env: {
        REDIS_URL: 'redis://redis:6379/2',
        AWS_REGION: 'eu-west-1',
        FLEET_SITES_FILE: sites,
        FLEET_API_TOKENS_FILE: tokens,
        FLEET_SECRET_KEY: Buffer.alloc(32, 9).toString('base64'),
        FLEET_ACK_MQTT_URL: 'mqtt://mosquitto:1883',
        LOG_LEVEL: 'debug',
        FLEET_KEY_PREFIX: 'plant',
        FLEET_API_BODY_LIMIT_BYTES: '1048576',
        FLEET_MAX_ATTEMPTS: '4',
        FLEET_RETRY_BASE_MS: '100',
        FLEET_RETRY_MAX_MS: '1000',
        FLEET_SSM_RPS: '20',
        FLEET_CREATE_ACTIVATION_RPS: '2',
        FLEET_IOT_PUBLISH_RPS: '500',
        FLEET_MAX_REBATCHES: '1',
        FLEET_RECONCILE_INTERVAL_MS: '250',
        FLEET_TOPIC_CREDENTIALS: 'f/{siteId}/{thingName}/creds',
        FLEET_TOPIC_ACK: 'f/{siteId}/{thingName}/ack',
      },
    });
    expect(c).toMatchObject({
      redisUrl: 'redis://redis:6379/2',
      awsRegion: 'eu-west-1',
      ackMqttUrl: 'mqtt://mosquitto:1883',
      logLevel: 'debug',
      keyPrefix: 'plant',
      api: { bodyLimitBytes: 1_048_576 },
      retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 },
      rateLimits: { ssmPerSecond: 20, createActivationPerSecond: 2, iotPublishPerSecond: 500 },
      maxRebatches: 1,
      reconcileIntervalMs: 250,
      topics: { credentials: 'f/{siteId}/{thingName}/creds', ack: 'f/{siteId}/{thingName}/ack' },
    });
    expect(c.secretKey.equals(Buffer.alloc(32, 9))).toBe(true);
    expect(c.sites.sites.get('plant-berlin-1')).toMatchObject({ region: 'eu-central-1', maxBatchSize: 500, tags: { Owner: 'factory', Site: 'berlin-1' } });
    expect(c.apiTokens).toEqual([{ name: 'line-1', sha256: sha256Hex('line-token-0123456789'), role: 'line', sites: ['plant-berlin-1'] }]);
    expect(JSON.stringify(c.apiTokens)).not.toContain('line-token-0123456789');
  });

  it('tag budget: a fifth of FLEET_SSM_RPS unless FLEET_TAG_RPS says; FLEET_NODE_TAGS device or none, by name', () => {
    expect(loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX, FLEET_SSM_RPS: '200' } }).rateLimits.tagPerSecond).toBe(40);
    expect(loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX, FLEET_SSM_RPS: '3', FLEET_CREATE_ACTIVATION_RPS: '1' } }).rateLimits.tagPerSecond).toBe(1);
    const c = loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX, FLEET_TAG_RPS: '7', FLEET_NODE_TAGS: 'none' } });
    expect(c).toMatchObject({ rateLimits: { ssmPerSecond: 50, tagPerSecond: 7 }, nodeTags: 'none' });
    const err = configError(() => loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX, FLEET_TAG_RPS: '0', FLEET_NODE_TAGS: 'all' } }));
    expect(err.issues.map((i) => i.path).sort()).toEqual(['FLEET_NODE_TAGS', 'FLEET_TAG_RPS']);
  });

  it('publish transport: mqtt unless FLEET_PUBLISH_TRANSPORT says https; anything else named', () => {
    expect(loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX } }).publishTransport).toBe('mqtt');
    expect(loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX, FLEET_PUBLISH_TRANSPORT: 'https' } }).publishTransport).toBe('https');
    const err = configError(() => loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX, FLEET_PUBLISH_TRANSPORT: 'websocket' } }));
    expect(err.issues.map((i) => i.path)).toEqual(['FLEET_PUBLISH_TRANSPORT']);
    expect(configError(() => loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX }, overrides: { publishTransport: 'tcp' as never } })).issues.map((i) => i.path)).toEqual(['overrides: publishTransport']);
  });

  it('is frozen all the way down, Maps included', () => {
    const c: Config = loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX, FLEET_SITES_FILE: file('sites-frozen.json', SITES) } });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.api)).toBe(true);
    expect(Object.isFrozen(c.sites.sites.get('plant-berlin-1')?.tags)).toBe(true);
    expect(() => (c.sites.sites as Map<string, unknown>).set('x', {})).toThrow(/read-only/);
    expect(() => ((c as { redisUrl: string }).redisUrl = 'x')).toThrow(TypeError);
  });

  it('resolves a relative sites file against cwd', () => {
    file('relative-sites.json', SITES);
    const c = loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX, FLEET_SITES_FILE: 'relative-sites.json' }, cwd: dir });
    expect(c.sites.sites.has('plant-berlin-1')).toBe(true);
  });

  it('a sites file with three independent mistakes fails with one error listing all three paths', () => {
    const path = file('sites-bad.json', {
      defaults: { region: 'us-east-1', iamRole: 'SSMServiceRole' },
      sites: [
        { id: 'a', iamRole: 'arn:aws:iam::123456789012:role/Edge' },
        { id: 'b', maxBatchSize: 0 },
        { id: 'c', activationTtlHours: 721 },
      ],
    });
    const err = configError(() => loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX, FLEET_SITES_FILE: path } }));
    expect(err.issues.map((i) => i.path)).toEqual([
      'FLEET_SITES_FILE: sites[0].iamRole',
      'FLEET_SITES_FILE: sites[1].maxBatchSize',
      'FLEET_SITES_FILE: sites[2].activationTtlHours',
    ]);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(/FLEET_SITES_FILE: sites\[0\]\.iamRole: .*FLEET_SITES_FILE: sites\[1\]\.maxBatchSize: .*FLEET_SITES_FILE: sites\[2\]\.activationTtlHours: /);
  });

  it('lists env, file and token problems together in one error', () => {
    const tokens = file('tokens-bad.json', { tokens: [{ name: 'x', token: 'short', role: 'root', sites: ['nowhere'] }] });
    const err = configError(() =>
      loadConfig({
        env: {
          REDIS_URL: 'http://example',
          FLEET_MAX_ATTEMPTS: 'many',
          LOG_LEVEL: 'loud',
          FLEET_TOPIC_ACK: 'fleet/ack',
          FLEET_SITES_FILE: join(dir, 'missing.json'),
          FLEET_API_TOKENS_FILE: tokens,
        },
      }),
    );
    expect(err.issues.map((i) => i.path)).toEqual([
      'REDIS_URL',
      'LOG_LEVEL',
      'FLEET_TOPIC_ACK',
      'FLEET_MAX_ATTEMPTS',
      'FLEET_SITES_FILE',
      'FLEET_API_TOKENS_FILE: tokens[0].token',
      'FLEET_API_TOKENS_FILE: tokens[0].role',
      'FLEET_API_TOKENS_FILE: tokens[0].sites[0]',
      'FLEET_SECRET_KEY',
    ]);
    expect(err.message).toContain('no such file');
  });

  it('refuses a tokens file with no token, a token with whitespace, and ack/credentials templates on the same topics', () => {
    const none = file('tokens-none.json', { tokens: [] });
    const spaced = file('tokens-spaced.json', { tokens: [{ name: 'a', token: 'line token 0123456789', role: 'line', sites: ['*'] }, { name: 'b', token: 'tab\ttoken-0123456789', role: 'line', sites: ['*'] }] });
    const paths = (env: Record<string, string>): string[] => configError(() => loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX, ...env } })).issues.map((i) => i.path);
    expect(paths({ FLEET_API_TOKENS_FILE: none })).toEqual(['FLEET_API_TOKENS_FILE: tokens']);
    expect(paths({ FLEET_API_TOKENS_FILE: spaced })).toEqual(['FLEET_API_TOKENS_FILE: tokens[0].token', 'FLEET_API_TOKENS_FILE: tokens[1].token']);
    expect(paths({ FLEET_TOPIC_ACK: 'fleet/enroll/{siteId}/{thingName}/activation' })).toEqual(['FLEET_TOPIC_ACK']);
    // different placeholders on the same levels match the same topics too
    expect(paths({ FLEET_TOPIC_CREDENTIALS: 'f/{siteId}/{thingName}/x', FLEET_TOPIC_ACK: 'f/{thingName}/{siteId}/x' })).toEqual(['FLEET_TOPIC_ACK']);
  });

  it('never puts the secret key or a token in the error text', () => {
    const secretish = 'Zm9vYmFyYmF6cXV4cXV1eHF1dXpxdXV6cXV1eg'; // base64, wrong length
    const tokenText = 'tok-0123456789abcdef-SECRET';
    const tokens = file('tokens-dup.json', `{"tokens":[{"name":"a","token":"${tokenText}","role":"admin","sites":["*"]},{"name":"b","token":"${tokenText}","role":"admin","sites":["*"]}]}`);
    const broken = file('tokens-syntax.json', `{"tokens":[{"name":"a","token":"${tokenText}" "role":"admin"}]}`);
    for (const env of [
      { FLEET_SECRET_KEY: secretish, FLEET_API_TOKENS_FILE: tokens },
      { FLEET_SECRET_KEY: 'ab'.repeat(31), FLEET_API_TOKENS_FILE: broken },
    ]) {
      const err = configError(() => loadConfig({ env }));
      const text = `${err.message} ${JSON.stringify(err.issues)} ${String(err.stack)}`;
      expect(text).toContain('FLEET_SECRET_KEY');
      expect(text).not.toContain(env.FLEET_SECRET_KEY);
      expect(text).not.toContain(tokenText);
      expect(text).toContain('FLEET_API_TOKENS_FILE');
    }
  });

  it('requires FLEET_SECRET_KEY unless the caller allows a generated one (the demo)', () => {
    expect(configError(() => loadConfig({ env: {} })).issues).toEqual([{ path: 'FLEET_SECRET_KEY', message: expect.stringMatching(/is required/) }]);
    const a = loadConfig({ env: {}, allowGeneratedSecretKey: true });
    const b = loadConfig({ env: {}, allowGeneratedSecretKey: true });
    expect(a.secretKey).toHaveLength(32);
    expect(a.secretKey.equals(b.secretKey)).toBe(false);
  });

  it('requires the sites file when asked to (serve), unless overrides supply the sites', () => {
    expect(configError(() => loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX }, requireSites: true })).issues[0]?.path).toBe('FLEET_SITES_FILE');
    const sites = parseSitesConfig(SITES);
    const c = loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX }, requireSites: true, overrides: { sites } });
    expect(c.sites.sites.has('plant-berlin-1')).toBe(true);
  });

  it('applies overrides on top of the environment; an undefined value keeps the default', () => {
    const c = loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX, REDIS_URL: 'redis://a:1' }, overrides: { redisUrl: 'redis://b:2', api: { host: undefined, port: 0 }, retry: { maxAttempts: 2 } } });
    expect(c.redisUrl).toBe('redis://b:2');
    expect(c.api).toEqual({ host: '127.0.0.1', port: 0, bodyLimitBytes: 16 * 1024 * 1024 });
    expect(c.retry).toEqual({ maxAttempts: 2, baseDelayMs: 200, maxDelayMs: 20_000, readAfterWriteMs: 2_000 });
    const err = configError(() => loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX }, overrides: { api: { port: 70000 }, topics: { ack: 'x/{siteId}' } } }));
    expect(err.issues.map((i) => i.path)).toEqual(['overrides: api.port', 'overrides: topics.ack']);
  });

  it('refuses inconsistent retry and rate settings', () => {
    const err = configError(() => loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX, FLEET_RETRY_BASE_MS: '5000', FLEET_RETRY_MAX_MS: '100', FLEET_CREATE_ACTIVATION_RPS: '100' } }));
    expect(err.issues.map((i) => i.path)).toEqual(['FLEET_RETRY_BASE_MS', 'FLEET_CREATE_ACTIVATION_RPS']);
  });
});

describe('loadSitesFile / parseSitesConfig', () => {
  it('loads a file, and names the JSON path of every mistake', () => {
    expect(loadSitesFile(file('sites-load.json', SITES)).sites.get('plant-berlin-1')?.iamRole).toBe('EdgeSSMRole');
    const err = configError(() => parseSitesConfig({ sites: [{ id: 'a/b', region: 'us-east-1', iamRole: 'R', maxBatchSize: 2000 }] }));
    expect(err.issues.map((i) => i.path)).toEqual(['sites[0].maxBatchSize', 'sites[0].id']);
    expect(configError(() => loadSitesFile(file('sites-syntax.json', '{"sites": ['))).message).toMatch(/not valid JSON/);
  });
});

describe('loadConfig: Redis Cluster and replica acknowledgement', () => {
  it('parses REDIS_CLUSTER_NODES seeds (IPv6 in brackets) and FLEET_REDIS_MIN_REPLICAS', () => {
    const c = loadConfig({
      env: { FLEET_SECRET_KEY: KEY_HEX, REDIS_CLUSTER_NODES: 'redis-a:7000, 10.0.0.2:7001,[::1]:7002', FLEET_REDIS_MIN_REPLICAS: '1', FLEET_REDIS_REPLICA_TIMEOUT_MS: '250' },
    });
    expect(c.redisClusterNodes).toEqual([
      { host: 'redis-a', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    expect(c).toMatchObject({ redisMinReplicas: 1, redisReplicaTimeoutMs: 250 });
  });

  it('defaults to one Redis and no replica wait', () => {
    const c = loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX } });
    expect(c.redisClusterNodes).toBeUndefined();
    expect(c).toMatchObject({ redisMinReplicas: 0, redisReplicaTimeoutMs: 1_000 });
  });

  it('names every bad seed and a bad replica count in one error', () => {
    const err = configError(() =>
      loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX, REDIS_CLUSTER_NODES: 'a:7000,b,c:99999', FLEET_REDIS_MIN_REPLICAS: '-1' } }),
    );
    const paths = err.issues.map((i) => `${i.path}: ${i.message}`);
    expect(paths).toContain('REDIS_CLUSTER_NODES: each entry must be host:port with a port from 1 to 65535 (got "b")');
    expect(paths).toContain('REDIS_CLUSTER_NODES: each entry must be host:port with a port from 1 to 65535 (got "c:99999")');
    expect(paths.some((p) => p.startsWith('FLEET_REDIS_MIN_REPLICAS: must be a whole number from 0 to 16'))).toBe(true);
  });
});
