/**
 * The one validated, typed, frozen configuration, and the only reader of process.env.
 * `loadConfig` reads the environment, the sites file and the API tokens file, checks all of it,
 * and fails with ONE ConfigError listing every problem with its path (env var, then JSON path).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, type FieldIssue } from './domain/errors.js';
import { DEFAULT_TOPICS, type TopicTemplates } from './domain/messages.js';
import type { SitesConfig } from './domain/site.js';
import { DEFAULT_NODE_QUOTA, REGION_PATTERN, validateSitesFile } from './domain/sites-file.js';
import { topicFilter, topicTemplateProblems } from './domain/topics.js';
import { parseApiTokensFile, type ApiToken } from './config/api-tokens-file.js';
import { deepFreeze } from './config/deep-freeze.js';
import { EnvReader, type Env } from './config/env-reader.js';
import { readJsonFile } from './config/json-file.js';
import { SECRET_KEY_BYTES, generateSecretKey, parseSecretKey } from './config/secret-key.js';
import { POLICY_FIELDS, pipelinePolicy, type PipelinePolicy } from './config/pipeline-policy.js';

export type { ApiRole, ApiToken } from './config/api-tokens-file.js';
export type { PipelinePolicy } from './config/pipeline-policy.js';

export interface RetryPolicy {
  /** attempts of CreateActivation per batch before it fails (throttling does not use attempts) */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * SSM reads are eventually consistent: how long after a CreateActivation its activation may still be
   * missing from DescribeActivations. After an attempt whose answer may be lost, the orphan lookup waits this long.
   */
  readonly readAfterWriteMs: number;
}

export interface RateLimits {
  /** global (all processes) SSM calls per second */
  readonly ssmPerSecond: number;
  /** of which CreateActivation per second */
  readonly createActivationPerSecond: number;
  /** IoT data-plane Publish per second */
  readonly iotPublishPerSecond: number;
  /** AddTagsToResource per second (the tag role's own bucket; default a fifth of ssmPerSecond) */
  readonly tagPerSecond: number;
}

/** `device`: the tag role tags each managed node with its device identity; `none`: no per-node tags */
export type NodeTagsMode = 'device' | 'none';
export const NODE_TAGS_MODES: readonly NodeTagsMode[] = ['device', 'none'];
/** how the per-device AWS calls (IoT Publish, SSM AddTagsToResource) go: signed by us with the SDK's signer, or through the SDK clients */
export type PerDeviceCalls = 'signed' | 'sdk';
export const PER_DEVICE_CALLS: readonly PerDeviceCalls[] = ['signed', 'sdk'];
/** how the IoT publishes (credentials, clears) reach AWS IoT: MQTT 5 over WebSocket (SigV4), or the data plane's HTTPS Publish */
export type PublishTransport = 'mqtt' | 'https';
export const PUBLISH_TRANSPORTS: readonly PublishTransport[] = ['mqtt', 'https'];
export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

export interface Config {
  readonly redisUrl: string;
  /** REDIS_CLUSTER_NODES: seeds of a Redis Cluster (then REDIS_URL gives only credentials and TLS); absent: one Redis at redisUrl */
  readonly redisClusterNodes?: readonly RedisNode[];
  /** FLEET_REDIS_MIN_REPLICAS: replicas that must have an intake before its 202 (WAIT); 0 = the master alone (default) */
  readonly redisMinReplicas?: number;
  /** FLEET_REDIS_REPLICA_TIMEOUT_MS: how long the 202 waits for those replicas before the answer is a 503 */
  readonly redisReplicaTimeoutMs?: number;
  /** Redis keys live under `{keyPrefix}:` */
  readonly keyPrefix: string;
  readonly awsRegion: string;
  readonly sites: SitesConfig;
  readonly apiTokens: readonly ApiToken[];
  /** 32 bytes, AES-256-GCM key for activation codes kept for redelivery */
  readonly secretKey: Buffer;
  readonly ackMqttUrl: string | undefined;
  readonly logLevel: string;
  readonly api: { readonly host: string; readonly port: number; readonly bodyLimitBytes: number };
  readonly topics: TopicTemplates;
  readonly retry: RetryPolicy;
  readonly rateLimits: RateLimits;
  /** how often an expired batch's unregistered devices are re-batched before they fail */
  readonly maxRebatches: number;
  readonly reconcileIntervalMs: number;
  /** how often a Region's node quota is read again from the account (tier, managed nodes); default 60 s */
  readonly nodeQuotaRefreshMs?: number;
  /** PEM certificates trusted for AWS endpoints on top of Node's (AWS_CA_BUNDLE: a proxy, a private endpoint) */
  readonly awsCaBundle?: string | undefined;
  /** finished device and batch records are deleted this long after they finished (FLEET_RETENTION_DAYS) */
  readonly retentionMs?: number;
  readonly nodeTags: NodeTagsMode;
  /** FLEET_PER_DEVICE_CALLS */
  readonly perDeviceCalls: PerDeviceCalls;
  /** FLEET_PUBLISH_TRANSPORT */
  readonly publishTransport: PublishTransport;
  /** loop intervals, lease lifetimes, in-pass retries: derived in config/pipeline-policy.ts */
  readonly pipeline: PipelinePolicy;
}

export const DEFAULT_RETENTION_DAYS = 30;
export const DAY_MS = 24 * 3600 * 1000;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const DEFAULT_BODY_LIMIT_BYTES = 16 * 1024 * 1024;
const KEY_PREFIX = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Values set by code (CLI flags, the demo, tests) on top of the environment. Nested groups merge. */
export interface ConfigOverrides {
  readonly redisUrl?: string;
  readonly keyPrefix?: string;
  readonly awsRegion?: string;
  /** replaces FLEET_SITES_FILE (the demo's embedded sites; tests) */
  readonly sites?: SitesConfig;
  /** replaces FLEET_API_TOKENS_FILE */
  readonly apiTokens?: readonly ApiToken[];
  readonly secretKey?: Buffer;
  readonly ackMqttUrl?: string | undefined;
  readonly logLevel?: string;
  readonly api?: Partial<Config['api']>;
  readonly topics?: Partial<TopicTemplates>;
  readonly retry?: Partial<RetryPolicy>;
  readonly rateLimits?: Partial<RateLimits>;
  readonly maxRebatches?: number;
  readonly reconcileIntervalMs?: number;
  readonly nodeQuotaRefreshMs?: number;
  /** replaces FLEET_RETENTION_DAYS (tests use seconds) */
  readonly retentionMs?: number;
  readonly nodeTags?: NodeTagsMode;
  readonly perDeviceCalls?: PerDeviceCalls;
  readonly publishTransport?: PublishTransport;
  readonly pipeline?: Partial<PipelinePolicy>;
}

export interface LoadConfigOptions {
  /** defaults to process.env */
  readonly env?: Env;
  readonly overrides?: ConfigOverrides;
  /** relative FLEET_SITES_FILE / FLEET_API_TOKENS_FILE paths resolve against this; defaults to process.cwd() */
  readonly cwd?: string;
  /** `serve` needs sites: without FLEET_SITES_FILE (or overrides.sites) loading fails */
  readonly requireSites?: boolean;
  /** the demo only: without FLEET_SECRET_KEY, use a random key that lives as long as the process */
  readonly allowGeneratedSecretKey?: boolean;
}

const EMPTY_SITES: SitesConfig = { sites: new Map(), regions: new Map(), defaultNodeQuota: DEFAULT_NODE_QUOTA };


export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const o = options.overrides ?? {};
  const cwd = options.cwd ?? process.cwd();
  const r = new EnvReader(env);
  const issues = r.issues;
  const prefixed = (source: string, list: readonly FieldIssue[]): void => {
    for (const i of list) issues.push({ path: i.path === '' ? source : `${source}: ${i.path}`, message: i.message });
  };

  const redisUrl = o.redisUrl ?? r.url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis', 'rediss']) ?? '';
  const redisClusterNodes = parseClusterNodes(r);
  const redisMinReplicas = r.int('FLEET_REDIS_MIN_REPLICAS', 0, 0, 16);
  const redisReplicaTimeoutMs = r.int('FLEET_REDIS_REPLICA_TIMEOUT_MS', 1_000, 1, 60_000);
  const awsRegion = o.awsRegion ?? r.string('AWS_REGION', 'us-east-1', (v) => (REGION_PATTERN.test(v) ? undefined : 'must be an AWS Region name like us-east-1'));
  const keyPrefix = o.keyPrefix ?? r.string('FLEET_KEY_PREFIX', 'fleet', (v) => (KEY_PREFIX.test(v) ? undefined : 'must be 1-64 characters of A-Z a-z 0-9 _ . : -'));
  const logLevel = o.logLevel ?? r.oneOf('LOG_LEVEL', 'info', LOG_LEVELS);
  const ackMqttUrl = 'ackMqttUrl' in o ? o.ackMqttUrl : r.url('FLEET_ACK_MQTT_URL', undefined, ['mqtt', 'mqtts', 'tcp', 'tls', 'ws', 'wss']);

  const api = {
    host: '127.0.0.1',
    port: 8080,
    bodyLimitBytes: r.int('FLEET_API_BODY_LIMIT_BYTES', DEFAULT_BODY_LIMIT_BYTES, 1024),
    ...defined(o.api),
  };
  const topics: TopicTemplates = {
    credentials: r.string('FLEET_TOPIC_CREDENTIALS', DEFAULT_TOPICS.credentials, topicProblem),
    ack: r.string('FLEET_TOPIC_ACK', DEFAULT_TOPICS.ack, topicProblem),
    ...defined(o.topics),
  };
  // one topic for both would hand the ack listener every credentials message (and its code)
  if (topicFilter(topics.credentials) === topicFilter(topics.ack)) {
    issues.push({ path: 'FLEET_TOPIC_ACK', message: 'must not match the same topics as FLEET_TOPIC_CREDENTIALS' });
  }
  const retry: RetryPolicy = {
    maxAttempts: r.int('FLEET_MAX_ATTEMPTS', 8, 1, 100),
    baseDelayMs: r.int('FLEET_RETRY_BASE_MS', 200, 1),
    maxDelayMs: r.int('FLEET_RETRY_MAX_MS', 20_000, 1),
    readAfterWriteMs: r.int('FLEET_SSM_CONSISTENCY_MS', 2_000, 0, 600_000),
    ...defined(o.retry),
  };
  const baseRates = {
    ssmPerSecond: r.int('FLEET_SSM_RPS', 50, 1),
    createActivationPerSecond: r.int('FLEET_CREATE_ACTIVATION_RPS', 5, 1),
    iotPublishPerSecond: r.int('FLEET_IOT_PUBLISH_RPS', 10_000, 1),
    ...defined(o.rateLimits),
  };
  const rateLimits: RateLimits = {
    ...baseRates,
    tagPerSecond: o.rateLimits?.tagPerSecond ?? r.int('FLEET_TAG_RPS', Math.max(1, Math.floor(baseRates.ssmPerSecond / 5)), 1),
  };
  const nodeTags = o.nodeTags ?? r.oneOf('FLEET_NODE_TAGS', 'device', NODE_TAGS_MODES);
  const perDeviceCalls = o.perDeviceCalls ?? r.oneOf('FLEET_PER_DEVICE_CALLS', 'signed', PER_DEVICE_CALLS);
  const publishTransport = o.publishTransport ?? r.oneOf('FLEET_PUBLISH_TRANSPORT', 'mqtt', PUBLISH_TRANSPORTS);
  const maxRebatches = o.maxRebatches ?? r.int('FLEET_MAX_REBATCHES', 3, 0, 100);
  const reconcileIntervalMs = o.reconcileIntervalMs ?? r.int('FLEET_RECONCILE_INTERVAL_MS', 1000, 10);
  const nodeQuotaRefreshMs = o.nodeQuotaRefreshMs ?? r.int('FLEET_NODE_QUOTA_REFRESH_MS', 60_000, 100, 60_000);
  let awsCaBundle: string | undefined;
  const caFile = r.raw('AWS_CA_BUNDLE');
  if (caFile !== undefined) {
    try {
      awsCaBundle = readFileSync(resolve(cwd, caFile), 'utf8');
      if (!awsCaBundle.includes('-----BEGIN CERTIFICATE-----')) r.fail('AWS_CA_BUNDLE', `${caFile} holds no PEM certificate`);
    } catch (err) {
      r.fail('AWS_CA_BUNDLE', `cannot read ${caFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  const retentionMs = o.retentionMs ?? retentionDays(r);
  if (retry.baseDelayMs > retry.maxDelayMs) r.fail('FLEET_RETRY_BASE_MS', `must not exceed FLEET_RETRY_MAX_MS (${retry.maxDelayMs})`);
  if (rateLimits.createActivationPerSecond > rateLimits.ssmPerSecond) {
    r.fail('FLEET_CREATE_ACTIVATION_RPS', `must not exceed FLEET_SSM_RPS (${rateLimits.ssmPerSecond}): CreateActivation is an SSM call`);
  }
  prefixed('overrides', checkOverrides(o));

  let sites = o.sites;
  if (sites === undefined) {
    const file = r.raw('FLEET_SITES_FILE');
    if (file === undefined) {
      if (options.requireSites) r.fail('FLEET_SITES_FILE', 'is required: the JSON file describing the sites (see README "Sites file")');
    } else {
      const read = readJsonFile(file, cwd);
      if ('problem' in read) r.fail('FLEET_SITES_FILE', read.problem);
      else {
        const parsed = validateSitesFile(read.json, { fallbackRegion: awsRegion });
        if ('issues' in parsed) prefixed('FLEET_SITES_FILE', parsed.issues);
        else sites = parsed.ok;
      }
    }
  }
  const siteIds: ReadonlySet<string> = new Set(sites?.sites.keys());

  let apiTokens = o.apiTokens;
  if (apiTokens === undefined) {
    const file = r.raw('FLEET_API_TOKENS_FILE');
    if (file !== undefined) {
      const read = readJsonFile(file, cwd, true);
      if ('problem' in read) r.fail('FLEET_API_TOKENS_FILE', read.problem);
      else {
        const parsed = parseApiTokensFile(read.json, siteIds);
        if ('issues' in parsed) prefixed('FLEET_API_TOKENS_FILE', parsed.issues);
        else apiTokens = parsed.tokens;
      }
    }
  }

  let secretKey = o.secretKey;
  if (secretKey !== undefined && secretKey.length !== SECRET_KEY_BYTES) {
    issues.push({ path: 'overrides.secretKey', message: `must be ${SECRET_KEY_BYTES} bytes` });
  }
  if (secretKey === undefined) {
    const raw = r.raw('FLEET_SECRET_KEY');
    if (raw !== undefined) {
      const parsed = parseSecretKey(raw);
      if ('problem' in parsed) r.fail('FLEET_SECRET_KEY', parsed.problem);
      else secretKey = parsed.key;
    } else if (options.allowGeneratedSecretKey) {
      secretKey = generateSecretKey();
    } else {
      r.fail('FLEET_SECRET_KEY', 'is required: 32 bytes as 64 hex digits or base64 (e.g. `openssl rand -hex 32`)');
    }
  }

  if (issues.length > 0) throw new ConfigError(issues);
  const pipeline = pipelinePolicy(
    {
      batchWindowsMs: [...(sites?.sites.values() ?? [])].map((s) => s.batchWindowMs),
      reconcileIntervalMs,
      retentionMs,
      tagPerSecond: rateLimits.tagPerSecond,
    },
    o.pipeline,
  );
  return deepFreeze<Config>({
    redisUrl,
    ...(redisClusterNodes ? { redisClusterNodes } : {}),
    redisMinReplicas,
    redisReplicaTimeoutMs,
    keyPrefix,
    awsRegion,
    sites: sites ?? { ...EMPTY_SITES, sites: new Map(), regions: new Map() },
    apiTokens: apiTokens ?? [],
    secretKey: secretKey as Buffer,
    ackMqttUrl,
    logLevel,
    api,
    topics,
    retry,
    rateLimits,
    maxRebatches,
    reconcileIntervalMs,
    nodeQuotaRefreshMs,
    awsCaBundle,
    retentionMs,
    nodeTags,
    perDeviceCalls,
    publishTransport,
    pipeline,
  });
}

/** FLEET_RETENTION_DAYS: days, fractions allowed (0.5 = 12 h), at least one minute. */
function retentionDays(r: EnvReader): number {
  const raw = r.raw('FLEET_RETENTION_DAYS');
  if (raw === undefined) return DEFAULT_RETENTION_DAYS * DAY_MS;
  const days = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(days) || days * DAY_MS < 60_000 || days > 3650) {
    r.fail('FLEET_RETENTION_DAYS', `must be a number of days from 0.0007 (one minute) to 3650, fractions allowed (got "${raw}")`);
    return DEFAULT_RETENTION_DAYS * DAY_MS;
  }
  return Math.round(days * DAY_MS);
}

/** `host:port,host:port,…` (IPv6 as `[::1]:7000`); every bad entry is reported. */
function parseClusterNodes(r: EnvReader): RedisNode[] | undefined {
  const raw = r.raw('REDIS_CLUSTER_NODES');
  if (raw === undefined) return undefined;
  const nodes: RedisNode[] = [];
  for (const entry of raw.split(',').map((e) => e.trim())) {
    const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(entry);
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65535) {
      r.fail('REDIS_CLUSTER_NODES', `each entry must be host:port with a port from 1 to 65535 (got "${entry}")`);
      continue;
    }
    nodes.push({ host: m[1]!.replace(/^\[|\]$/g, ''), port });
  }
  return nodes.length > 0 ? nodes : undefined;
}

/** `{host: undefined}` from an absent CLI flag must not erase the default. */
function defined<T extends object>(group: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(group ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function topicProblem(template: string): string | undefined {
  const problems = topicTemplateProblems(template);
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/** Overrides come from code, not users, but a wrong one must still fail loudly and by name. */
function checkOverrides(o: ConfigOverrides): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const positiveInt = (path: string, v: number | undefined, min = 1): void => {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < min)) issues.push({ path, message: `must be a whole number ≥ ${min}` });
  };
  if (o.api?.port !== undefined && (!Number.isInteger(o.api.port) || o.api.port < 0 || o.api.port > 65535)) {
    issues.push({ path: 'api.port', message: 'must be a port number from 0 to 65535' });
  }
  if (o.api?.host !== undefined && o.api.host.trim() === '') issues.push({ path: 'api.host', message: 'must not be empty' });
  positiveInt('api.bodyLimitBytes', o.api?.bodyLimitBytes, 1024);
  for (const [k, v] of Object.entries(o.topics ?? {})) {
    const problem = topicProblem(v);
    if (problem) issues.push({ path: `topics.${k}`, message: problem });
  }
  positiveInt('retry.maxAttempts', o.retry?.maxAttempts);
  positiveInt('retry.baseDelayMs', o.retry?.baseDelayMs);
  positiveInt('retry.maxDelayMs', o.retry?.maxDelayMs);
  positiveInt('rateLimits.ssmPerSecond', o.rateLimits?.ssmPerSecond);
  positiveInt('rateLimits.createActivationPerSecond', o.rateLimits?.createActivationPerSecond);
  positiveInt('rateLimits.iotPublishPerSecond', o.rateLimits?.iotPublishPerSecond);
  positiveInt('rateLimits.tagPerSecond', o.rateLimits?.tagPerSecond);
  if (o.nodeTags !== undefined && !NODE_TAGS_MODES.includes(o.nodeTags)) issues.push({ path: 'nodeTags', message: `must be one of ${NODE_TAGS_MODES.join(', ')}` });
  if (o.perDeviceCalls !== undefined && !PER_DEVICE_CALLS.includes(o.perDeviceCalls)) issues.push({ path: 'perDeviceCalls', message: `must be one of ${PER_DEVICE_CALLS.join(', ')}` });
  if (o.publishTransport !== undefined && !PUBLISH_TRANSPORTS.includes(o.publishTransport)) issues.push({ path: 'publishTransport', message: `must be one of ${PUBLISH_TRANSPORTS.join(', ')}` });
  positiveInt('maxRebatches', o.maxRebatches, 0);
  positiveInt('reconcileIntervalMs', o.reconcileIntervalMs, 10);
  positiveInt('nodeQuotaRefreshMs', o.nodeQuotaRefreshMs, 100);
  positiveInt('retentionMs', o.retentionMs, 1);
  for (const [k, v] of Object.entries(o.pipeline ?? {})) {
    if (!(POLICY_FIELDS as readonly string[]).includes(k)) issues.push({ path: `pipeline.${k}`, message: `is not a pipeline policy (${POLICY_FIELDS.join(', ')})` });
    else positiveInt(`pipeline.${k}`, v as number | undefined);
  }
  return issues;
}

/** The sites file's JSON → SitesConfig, or a ConfigError listing every mistake (for the CLI and tests). */
export function parseSitesConfig(json: unknown, options: { fallbackRegion?: string } = {}): SitesConfig {
  const parsed = validateSitesFile(json, options);
  if ('issues' in parsed) throw new ConfigError(parsed.issues, 'sites file');
  return deepFreeze(parsed.ok);
}

/** Reads and checks a sites file (path relative to cwd). */
export function loadSitesFile(path: string, options: { fallbackRegion?: string; cwd?: string } = {}): SitesConfig {
  const read = readJsonFile(path, options.cwd ?? process.cwd());
  if ('problem' in read) throw new ConfigError([{ path: '', message: read.problem }], 'sites file');
  const parsed = validateSitesFile(read.json, options);
  if ('issues' in parsed) throw new ConfigError(parsed.issues, `sites file ${read.path}`);
  return deepFreeze(parsed.ok);
}
