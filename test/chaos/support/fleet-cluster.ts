/**
 * A whole fleet-enroll deployment made of separate processes, as in production: a private redis-server
 * (AOF, appendfsync everysec; restartable on the same port and directory), the emulator as its own
 * `fleet-enroll emulator` process publishing to Mosquitto, the orchestrator's roles as `fleet-enroll serve
 * --roles …` processes (any grouping), the device simulator in its own process and a credentials observer
 * on the run's topic root. Every process's output goes to a log file under `dir/logs`.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import type { Role } from '../../../src/app.js';
import { freePort, RedisServerProcess } from '../../../src/devtools/redis-server-process.js';
import type { DeviceState } from '../../../src/domain/device-state.js';
import { DeviceSimulatorProcess } from '../../../src/device/simulator/index.js';
import { DEFAULT_CREDENTIALS, type EmulatorState, type FaultConfig } from '../../../src/emulator/index.js';
import { Keys } from '../../../src/redis/keys.js';
import { clearRetainedUnder, CredentialsObserver } from '../../integration/pipeline/support/credentials-observer.js';
import { testScope, topicRoot } from '../../support/test-run.js';
import { FleetProcess } from './fleet-process.js';
import mqtt from 'mqtt';
import { topicFilter } from '../../../src/domain/topics.js';
import { AckSessionSlot } from '../../../src/workers/ack-session-slot.js';
import { redisDump } from '../../support/redis-dump.js';
import { RedisClusterProcess } from '../../support/redis-cluster.js';

export const MOSQUITTO_URL = process.env.FLEET_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

export interface ClusterSite {
  readonly id: string;
  readonly maxBatchSize: number;
  readonly batchWindowMs?: number;
}

export interface ClusterOptions {
  readonly sites: readonly ClusterSite[];
  /** one `serve` process per group, e.g. [['api'], ['intake'], ['activation'], …] */
  readonly groups: readonly (readonly Role[])[];
  readonly faults?: FaultConfig;
  readonly logLevel?: string;
  /** extra env for the serve processes (FLEET_RECONCILE_INTERVAL_MS, FLEET_RETRY_BASE_MS …) */
  readonly env?: Readonly<Record<string, string>>;
  readonly seed?: number;
  /** start the device simulator (default true) */
  readonly simulator?: boolean;
  /** a Redis Cluster (AOF on every node) instead of the one redis-server; roles get REDIS_CLUSTER_NODES */
  readonly redisCluster?: { readonly masters: number; readonly replicasPerMaster: number };
}

export class FleetCluster {
  readonly processes: FleetProcess[] = [];
  private simulator: DeviceSimulatorProcess | undefined;
  private commandRedis: Redis | Cluster | undefined;
  /** set in cluster mode (then redisServer is its first node) */
  redisCluster: RedisClusterProcess | undefined;
  apiUrl: string | undefined;

  private constructor(
    readonly dir: string,
    readonly redisServer: RedisServerProcess,
    readonly emulator: FleetProcess,
    readonly emulatorUrl: string,
    readonly env: Readonly<Record<string, string>>,
    readonly keys: Keys,
    readonly topics: { readonly credentials: string; readonly ack: string },
    readonly observer: CredentialsObserver,
  ) {}

  static async start(options: ClusterOptions): Promise<FleetCluster> {
    const run = randomBytes(4).toString('hex');
    const dir = mkdtempSync(join(tmpdir(), `fleet-chaos-${run}-`));
    mkdirSync(join(dir, 'logs'));
    mkdirSync(join(dir, 'redis'));
    const redisCluster = options.redisCluster
      ? await RedisClusterProcess.start({ ...options.redisCluster, appendOnly: true, dir: join(dir, 'redis') })
      : undefined;
    const redisServer = redisCluster ? redisCluster.nodes[0]! : await RedisServerProcess.start({ appendOnly: true, dir: join(dir, 'redis') });
    if (!redisCluster) await keepEveryWrite(redisServer.url);

    const emulatorPort = await freePort();
    const emulator = new FleetProcess({
      name: 'emulator',
      args: [
        'emulator',
        '--port',
        String(emulatorPort),
        '--mqtt-url',
        MOSQUITTO_URL,
        '--node-quota',
        'unlimited',
        '--faults',
        JSON.stringify(options.faults ?? {}),
        '--seed',
        String(options.seed ?? Math.floor(Math.random() * 1e9)),
      ],
      env: {},
      logFile: join(dir, 'logs', 'emulator.log'),
      readyWhen: /listening on http/,
    });
    try {
      await emulator.start();
    } catch (err) {
      // nothing else is running yet: the Redis started above must not outlive the failed start
      await (redisCluster ? redisCluster.stop() : redisServer.stop()).catch(() => undefined);
      await emulator.stop().catch(() => undefined);
      await emulator.closeLog().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;

    const sitesFile = join(dir, 'sites.json');
    writeFileSync(
      sitesFile,
      JSON.stringify({
        defaults: { region: 'us-east-1', iamRole: 'SSMServiceRole', activationTtlHours: 24, tags: { Owner: 'factory' }, nodeQuota: null },
        sites: options.sites.map((s) => ({ id: s.id, maxBatchSize: s.maxBatchSize, batchWindowMs: s.batchWindowMs ?? 500, tags: { Site: s.id } })),
      }),
    );
    const root = topicRoot('chaos');
    const topics = { credentials: `${root}/fleet/enroll/{siteId}/{thingName}/activation`, ack: `${root}/fleet/enroll/{siteId}/{thingName}/ack` };
    const keyPrefix = testScope('fleet-chaos');
    const env: Record<string, string> = {
      REDIS_URL: redisServer.url,
      ...(redisCluster ? { REDIS_CLUSTER_NODES: redisCluster.seeds.map((n) => `${n.host}:${n.port}`).join(',') } : {}),
      FLEET_KEY_PREFIX: keyPrefix,
      FLEET_SITES_FILE: sitesFile,
      FLEET_SECRET_KEY: randomBytes(32).toString('hex'),
      FLEET_ACK_MQTT_URL: MOSQUITTO_URL,
      FLEET_TOPIC_CREDENTIALS: topics.credentials,
      FLEET_TOPIC_ACK: topics.ack,
      AWS_ENDPOINT_URL_SSM: emulatorUrl,
      AWS_ENDPOINT_URL_IOT: emulatorUrl,
      AWS_ENDPOINT_URL_IOT_DATA_PLANE: emulatorUrl,
      AWS_ACCESS_KEY_ID: DEFAULT_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DEFAULT_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
      LOG_LEVEL: options.logLevel ?? 'info',
      ...options.env,
    };
    const observer = await CredentialsObserver.start(MOSQUITTO_URL, topics.credentials);
    const cluster = new FleetCluster(dir, redisServer, emulator, emulatorUrl, env, new Keys(keyPrefix), topics, observer);
    cluster.redisCluster = redisCluster;
    try {
      // in parallel: each process spends its first seconds compiling through tsx
      await Promise.all(options.groups.map((group) => cluster.addServe(group)));
      if (options.simulator ?? true) {
        cluster.simulator = new DeviceSimulatorProcess({ mqttUrl: MOSQUITTO_URL, emulatorUrl, sites: options.sites.map((s) => s.id), topics });
        await cluster.simulator.start();
      }
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** Starts one more `serve --roles …` process (its API, if any, on a free port). */
  async addServe(roles: readonly Role[], extraArgs: readonly string[] = []): Promise<FleetProcess> {
    const args = ['serve', '--roles', roles.join(','), ...extraArgs];
    if (roles.includes('api')) {
      const port = await freePort();
      args.push('--port', String(port));
      this.apiUrl = `http://127.0.0.1:${port}`;
    }
    const name = `${roles.join('+')}#${this.processes.filter((p) => p.options.args[2] === roles.join(',')).length + 1}`;
    const proc = new FleetProcess({ name, args, env: this.env, logFile: join(this.dir, 'logs', `${name.replace(/[^a-z0-9+#-]/gi, '_')}.log`), readyWhen: /fleet-enroll serve: roles/ });
    this.processes.push(proc);
    await proc.start();
    return proc;
  }

  get redisUrl(): string {
    return this.redisServer.url;
  }

  /** a command connection to the private Redis (reconnects by itself across restarts) */
  get redis(): Redis | Cluster {
    if (this.commandRedis === undefined) {
      this.commandRedis = this.redisCluster
        ? new Cluster(this.redisCluster.seeds, { redisOptions: { maxRetriesPerRequest: null }, retryDelayOnFailover: 200, retryDelayOnClusterDown: 300 })
        : new Redis(this.redisServer.url, { maxRetriesPerRequest: null });
      // refused connections while Redis restarts are expected: it reconnects by itself
      this.commandRedis.on('error', () => undefined);
    }
    return this.commandRedis;
  }

  get simulatorCounters(): DeviceSimulatorProcess['counters'] | undefined {
    return this.simulator?.counters;
  }

  async emulatorState(): Promise<EmulatorState> {
    const res = await fetch(`${this.emulatorUrl}/emulator/state`);
    if (res.status !== 200) throw new Error(`GET /emulator/state answered ${res.status}`);
    return (await res.json()) as EmulatorState;
  }

  /** every activation code the emulator issued in this run (lost answers and orphans too) */
  async issuedCodes(): Promise<string[]> {
    const res = await fetch(`${this.emulatorUrl}/emulator/issued-codes`);
    if (res.status !== 200) throw new Error(`GET /emulator/issued-codes answered ${res.status}`);
    return ((await res.json()) as { codes: string[] }).codes;
  }

  /** SIGKILL the private Redis and start it again from its AOF, rewrites still off */
  async restartRedis(): Promise<void> {
    await this.redisServer.restart();
    await keepEveryWrite(this.redisServer.url);
  }

  /** AOF rewrites since the last (re)start; 0 means the AOF still holds every write */
  async aofRewrites(): Promise<number> {
    const info = await this.redis.info('persistence');
    return Number(/aof_rewrites:(\d+)/.exec(info)?.[1] ?? 0);
  }

  async setFaults(faults: FaultConfig): Promise<void> {
    const res = await fetch(`${this.emulatorUrl}/emulator/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
    if (res.status >= 300) throw new Error(`PUT /emulator/faults answered ${res.status}: ${await res.text()}`);
  }

  /** state of each device (null: no record), read straight from Redis in pipelines */
  async deviceStates(deviceIds: readonly string[]): Promise<Map<string, { state: DeviceState | null; error: string | null }>> {
    const out = new Map<string, { state: DeviceState | null; error: string | null }>();
    for (let i = 0; i < deviceIds.length; i += 2_000) {
      const chunk = deviceIds.slice(i, i + 2_000);
      const pipeline = this.redis.pipeline();
      for (const id of chunk) pipeline.hmget(this.keys.device(id), 'st', 'err');
      const results = (await pipeline.exec()) ?? [];
      chunk.forEach((id, n) => {
        const [st, err] = (results[n]?.[1] as (string | null)[] | undefined) ?? [null, null];
        out.set(id, { state: (st as DeviceState | null) ?? null, error: err ?? null });
      });
    }
    return out;
  }

  /**
   * Waits until every device is `registered` or `failed` (with `missingIsFinal`, a device with no record
   * counts as final too: lost, not open), then for the tidying after it (spent activations deleted,
   * retained messages cleared, at most a minute). Returns when the devices settled, or 0 if they did not.
   */
  async drain(deviceIds: readonly string[], options: { timeoutMs: number; pollMs: number; missingIsFinal?: boolean }): Promise<number> {
    const deadline = Date.now() + options.timeoutMs;
    let settledAt = 0;
    for (;;) {
      const states = [...(await this.deviceStates(deviceIds)).values()];
      const open = states.filter((d) => d.state !== 'registered' && d.state !== 'failed' && !(options.missingIsFinal && d.state === null));
      if (open.length === 0) {
        settledAt = Date.now();
        break;
      }
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, options.pollMs));
    }
    const tidyUntil = Date.now() + 60_000;
    while (Date.now() < tidyUntil) {
      const st = await this.emulatorState();
      if (st.activations.live === 0 && st.retainedMessages === 0) break;
      await new Promise((r) => setTimeout(r, options.pollMs / 2));
    }
    return settledAt;
  }

  /** Every key and value under the run's prefix, as text. */
  async redisDump(): Promise<string> {
    const redis = this.redis;
    if (redis instanceof Cluster) {
      const parts = await Promise.all(redis.nodes('master').map((node) => redisDump(node, this.keys.everything)));
      return parts.join('\n');
    }
    return redisDump(redis, this.keys.everything);
  }

  /** every process's log, and Redis's append-only file (all writes ever made, not only what is left) */
  persistedText(): { file: string; text: string }[] {
    const files: { file: string; text: string }[] = [];
    for (const f of readdirSync(join(this.dir, 'logs'))) files.push({ file: `logs/${f}`, text: readFileSync(join(this.dir, 'logs', f), 'utf8') });
    const walk = (rel: string): void => {
      for (const entry of readdirSync(join(this.dir, rel), { withFileTypes: true })) {
        const path = join(rel, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (/\.aof/.test(entry.name)) files.push({ file: path, text: readFileSync(join(this.dir, path), 'latin1') });
      }
    };
    walk('redis');
    return files;
  }

  /** Stops everything; the run directory (logs, AOF) is removed unless `keepFiles`. */
  async stop(keepFiles = false): Promise<void> {
    for (const p of this.processes) await p.stop(15_000).catch(() => undefined);
    await this.simulator?.stop().catch(() => undefined);
    await this.observer.close().catch(() => undefined);
    // the shared broker keeps nothing of this run (the invariant check has read it before)
    await clearRetainedUnder(MOSQUITTO_URL, this.topics.credentials).catch(() => undefined);
    await this.emulator.stop().catch(() => undefined);
    this.commandRedis?.disconnect();
    if (this.redisCluster) await this.redisCluster.stop().catch(() => undefined);
    else await this.redisServer.stop().catch(() => undefined);
    for (const p of [...this.processes, this.emulator]) await p.closeLog();
    // the ack processes' persistent MQTT sessions outlive them by design: end them on the shared broker
    for (let slot = 0; slot < 4; slot++) {
      const clientId = AckSessionSlot.clientIdFor(this.keys.root, topicFilter(this.topics.ack), slot);
      const c = await mqtt.connectAsync(MOSQUITTO_URL, { clientId, clean: true, protocolVersion: 5, properties: { sessionExpiryInterval: 0 } }).catch(() => undefined);
      await c?.endAsync();
    }
    if (!keepFiles) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** AOF rewrites off: the append-only file keeps every write ever made, which the secret search reads */
async function keepEveryWrite(url: string): Promise<void> {
  const redis = new Redis(url);
  try {
    await redis.config('SET', 'auto-aof-rewrite-percentage', '0');
  } finally {
    redis.disconnect();
  }
}
