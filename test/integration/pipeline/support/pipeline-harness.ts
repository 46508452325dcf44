/**
 * One pipeline under test, all real parts: the emulator in-process over HTTP (reached through the unmodified
 * AWS SDK via AWS_ENDPOINT_URL_*), Mosquitto, Redis under a unique prefix, the orchestrator's roles from
 * createApp, and the device simulator from src/device registering through the emulator and acking over MQTT.
 */
import { DescribeActivationsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Redis } from 'ioredis';
import { createApp, type App, type Role } from '../../../../src/app.js';
import { createLogger } from '../../../../src/adapters/logger.js';
import { Metrics } from '../../../../src/adapters/metrics.js';
import type { Config } from '../../../../src/config.js';
import type { DeviceState } from '../../../../src/domain/device-state.js';
import type { OnboardingEvent } from '../../../../src/domain/onboarding-event.js';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../../../src/emulator/index.js';
import { DeviceSimulator, type DeviceSimulatorOptions } from '../../../../src/device/simulator/index.js';
import { Keys } from '../../../../src/redis/keys.js';
import { clearRetainedUnder, CredentialsObserver } from './credentials-observer.js';
import { LogCapture } from './log-capture.js';
import { MOSQUITTO_URL, testConfig, type TestConfigOptions } from './test-config.js';
import { redisDump } from '../../../support/redis-dump.js';
import { deleteMatching } from '../../../../src/devtools/delete-keys.js';
import { topicFilter } from '../../../../src/domain/topics.js';
import { AckSessionSlot } from '../../../../src/workers/ack-session-slot.js';
import mqtt from 'mqtt';
import { OutputCapture } from '../../../support/output-capture.js';
import { findSecrets, type SecretLeak } from '../../../support/secret-search.js';

export interface HarnessOptions extends TestConfigOptions {
  readonly emulator?: EmulatorOptions;
  readonly simulator?: Partial<Pick<DeviceSimulatorOptions, 'silentFraction' | 'neverAckFraction' | 'failAckFraction'>>;
  readonly roles?: readonly Role[];
  readonly stuckAfterMs?: number;
  /** the sites the simulated devices serve (default all): a test plays the devices of the others itself */
  readonly simulatorSites?: readonly string[];
  /** on top of the test config (e.g. a Redis Cluster's seeds) */
  readonly config?: Partial<Config>;
}

export interface SeenActivation {
  readonly activationId: string;
  readonly defaultInstanceName: string;
  readonly registrationLimit: number;
  readonly tags: Record<string, string>;
}

export class PipelineHarness {
  /** activations seen through DescribeActivations while the run went on */
  readonly seen = new Map<string, SeenActivation>();
  /** everything this process wrote to stdout/stderr while the harness ran (outside the logger too) */
  readonly output = OutputCapture.start();
  private sampler: NodeJS.Timeout | undefined;
  private ssm: SSMClient | undefined;

  private options: HarnessOptions = { sites: [] };

  private constructor(
    readonly config: Config,
    readonly emulator: RunningEmulator,
    public app: App,
    readonly simulator: DeviceSimulator,
    readonly observer: CredentialsObserver,
    readonly redis: Redis,
    readonly logs: LogCapture,
    readonly metrics: Metrics,
  ) {}

  static async start(options: HarnessOptions): Promise<PipelineHarness> {
    const config: Config = { ...testConfig(options), ...options.config };
    const emulator = await startEmulator({ mqttUrl: MOSQUITTO_URL, nodeQuota: 'unlimited', ...options.emulator });
    // the SDK reads its endpoints and credentials from the environment, as in production
    Object.assign(process.env, emulator.env);
    const observer = await CredentialsObserver.start(MOSQUITTO_URL, config.topics.credentials);
    const simulator = new DeviceSimulator({
      mqttUrl: MOSQUITTO_URL,
      emulatorUrl: emulator.url,
      sites: options.simulatorSites ?? [...config.sites.sites.keys()],
      topics: config.topics,
      ...options.simulator,
    });
    await simulator.start();
    const logs = new LogCapture();
    const metrics = new Metrics();
    const app = await createApp(withStuckAfter(config, options.stuckAfterMs), {
      roles: options.roles ?? ['intake', 'activation', 'delivery', 'ack', 'reconcile', 'tag'],
      logger: createLogger('debug', logs),
      metrics,
    });
    const harness = new PipelineHarness(config, emulator, app, simulator, observer, new Redis(config.redisUrl), logs, metrics);
    harness.options = options;
    await app.start();
    harness.startSampling();
    return harness;
  }

  /** Stops the orchestrator gracefully and starts a new one on the same Redis data (a restart or redeploy). */
  async restartApp(stuckAfterMs?: number): Promise<void> {
    await this.app.stop();
    this.app = await createApp(withStuckAfter(this.config, stuckAfterMs), {
      roles: this.options.roles ?? ['intake', 'activation', 'delivery', 'ack', 'reconcile', 'tag'],
      logger: createLogger('debug', this.logs),
      metrics: this.metrics,
    });
    await this.app.start();
  }

  get keys(): Keys {
    return new Keys(this.config.keyPrefix);
  }

  events(siteId: string, count: number, prefix = siteId): OnboardingEvent[] {
    return Array.from({ length: count }, (_, i) => {
      const deviceId = `${prefix}-SN-${String(i).padStart(6, '0')}`;
      return { deviceId, siteId, thingName: `edge-${deviceId}`, attributes: { model: 'X1' }, reenroll: false };
    });
  }

  async enroll(events: readonly OnboardingEvent[], chunk = 1_000): Promise<{ accepted: number; duplicates: number }> {
    let accepted = 0;
    let duplicates = 0;
    for (let i = 0; i < events.length; i += chunk) {
      const r = await this.app.services.enroll(events.slice(i, i + chunk));
      accepted += r.accepted;
      duplicates += r.duplicates;
    }
    return { accepted, duplicates };
  }

  /** A device's record in Redis, less the fields the tag role writes on its own time (tag state, time, attempts). */
  async deviceRecord(deviceId: string): Promise<Record<string, string>> {
    const { tag: _tag, tTag: _tTag, tatt: _tatt, ...rest } = await this.redis.hgetall(this.keys.device(deviceId));
    return rest;
  }

  async counts(siteId: string): Promise<Record<DeviceState, number>> {
    const view = await this.app.services.site(siteId);
    if (!view) throw new Error(`site ${siteId} unknown`);
    return view.counts;
  }

  /** Polls until `done` is true; fails with `describe()` when the time is up. */
  async waitFor(done: () => Promise<boolean> | boolean, timeoutMs: number, describe: () => Promise<string> | string): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!(await done())) {
      if (Date.now() > until) throw new Error(`timed out: ${await describe()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async allSettled(siteIds: readonly string[], total: number, states: readonly DeviceState[] = ['registered']): Promise<boolean> {
    let n = 0;
    for (const s of siteIds) {
      const c = await this.counts(s);
      for (const st of states) n += c[st];
    }
    return n === total;
  }

  async describeCounts(siteIds: readonly string[]): Promise<string> {
    const parts: string[] = [];
    for (const s of siteIds) parts.push(`${s}: ${JSON.stringify(await this.counts(s))}`);
    return parts.join(' | ');
  }

  /** the most unexpired activations one DefaultInstanceName (one batch) had at once, as the emulator counted them */
  get maxLivePerBatch(): Map<string, number> {
    return new Map(Object.entries(this.emulator.state.activations.maxLiveByName));
  }

  /**
   * Every code the emulator ever issued in this run (orphans and lost answers too), searched in its common
   * encodings in the logs, this process's own output, the metrics, a Redis dump and the extra texts given.
   */
  async secretLeaks(extra: Record<string, string> = {}): Promise<{ codes: number; leaks: SecretLeak[] }> {
    const codes = this.emulator.issuedCodes();
    const haystacks = [
      { where: 'logs', text: this.logs.text },
      { where: 'stdout/stderr', text: this.output.text },
      { where: 'metrics', text: await this.metrics.registry.metrics() },
      { where: 'redis', text: await this.redisDump() },
      ...Object.entries(extra).map(([where, text]) => ({ where, text })),
    ];
    return { codes: codes.length, leaks: findSecrets(codes, haystacks) };
  }

  /** Every key and value under the run's prefix (or matching `pattern`), as text (strings, hashes, lists, sets, zsets, streams). */
  async redisDump(pattern = this.keys.everything): Promise<string> {
    return redisDump(this.redis, pattern);
  }

  /** records the activations DescribeActivations shows while the run goes on (their limits and tags) */
  private startSampling(): void {
    this.ssm = new SSMClient({ region: this.config.awsRegion });
    const sample = async (): Promise<void> => {
      let token: string | undefined;
      do {
        const out = await this.ssm!.send(new DescribeActivationsCommand({ NextToken: token, MaxResults: 50 }));
        for (const a of out.ActivationList ?? []) {
          if (!a.ActivationId || this.seen.has(a.ActivationId)) continue;
          this.seen.set(a.ActivationId, {
            activationId: a.ActivationId,
            defaultInstanceName: a.DefaultInstanceName ?? '',
            registrationLimit: a.RegistrationLimit ?? 0,
            tags: Object.fromEntries((a.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
          });
        }
        token = out.NextToken;
      } while (token);
    };
    const loop = (): void => {
      this.sampler = setTimeout(() => {
        sample()
          .catch(() => undefined)
          .finally(() => {
            if (this.sampler) loop();
          });
      }, 40);
    };
    loop();
  }

  async stop(): Promise<void> {
    clearTimeout(this.sampler);
    this.sampler = undefined;
    this.output.stop();
    await this.app.stop();
    await this.simulator.stop();
    await this.observer.close();
    this.ssm?.destroy();
    await this.emulator.close();
    // what a test left on the shared broker and Redis goes with it (tests check for leftovers before this)
    await clearRetainedUnder(MOSQUITTO_URL, this.config.topics.credentials);
    await deleteMatching(this.config.redisUrl, this.keys.everything);
    await this.redis.quit();
    // the ack role's persistent MQTT session outlives the app by design: end it (a clean connect with its id)
    const clientId = AckSessionSlot.clientIdFor(this.keys.root, topicFilter(this.config.topics.ack), 0);
    const c = await mqtt.connectAsync(MOSQUITTO_URL, { clientId, clean: true, protocolVersion: 5, properties: { sessionExpiryInterval: 0 } }).catch(() => undefined);
    await c?.endAsync();
  }
}

/** the config with another `stuckAfterMs` (a batch without progress this long gets its job again) */
function withStuckAfter(config: Config, stuckAfterMs: number | undefined): Config {
  return stuckAfterMs === undefined ? config : { ...config, pipeline: { ...config.pipeline, stuckAfterMs } };
}
