/**
 * The composition root: builds clients, stores, adapters, services and the roles asked for; `start()` runs
 * them, `stop()` ends them gracefully (workers finish their running jobs, loops their pass, connections
 * close). Roles: api, intake, activation, delivery, ack, reconcile, tag — all by default, any subset per process.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Worker } from 'bullmq';
import { MqttAckSubscriber, type AckSubscriber } from './adapters/ack-subscriber.js';
import { AwsClients } from './adapters/aws-clients.js';
import { AesGcmCodeCipher } from './adapters/code-cipher.js';
import { HmacDeliverySigner } from './adapters/delivery-signer.js';
import { SdkIotPublisher } from './adapters/iot-publisher.js';
import { createLogger } from './adapters/logger.js';
import { Metrics } from './adapters/metrics.js';
import { RedisRateLimiter } from './adapters/rate-limiter.js';
import { CREATE_ACTIVATION_BUCKET, SdkSsmActivations, SSM_BUCKET, TAG_BUCKET } from './adapters/ssm-activations.js';
import { SdkSsmAccount } from './adapters/ssm-account.js';
import { SdkRuleDestinations } from './adapters/iot-rule-destinations.js';
import { DestinationConfirmationService } from './services/destination-confirmation-service.js';
import { QuotaStore } from './queues/quota-store.js';
import { NodeQuotaService } from './services/node-quota-service.js';
import { buildApi, listenAddress } from './api/app.js';
import type { ApiLimits } from './api/server-limits.js';
import type { ApiServices } from './api/services.js';
import type { Config } from './config.js';
import { budgetThroughput } from './domain/throughput-budget.js';
import { topicFilter } from './domain/topics.js';
import { BatchStore } from './queues/batch-store.js';
import { DeviceStore } from './queues/device-store.js';
import { JobProducer } from './queues/job-producer.js';
import { Keys } from './queues/keys.js';
import { Lease } from './queues/lease.js';
import { openRedis, type RedisConnection } from './queues/redis-connection.js';
import { RedisScripts } from './queues/redis-scripts.js';
import { SiteBufferStore } from './queues/site-buffer-store.js';
import { ListingStore } from './queues/listing-store.js';
import { RetentionStore } from './queues/retention-store.js';
import { ListingService } from './services/listing-service.js';
import { RetentionService } from './services/retention-service.js';
import type { ListingServices } from './api/services.js';
import { DAY_MS, DEFAULT_RETENTION_DAYS } from './config.js';
import { TagStore } from './queues/tag-store.js';
import { AckService } from './services/ack-service.js';
import { ActivationService } from './services/activation-service.js';
import { BatchCutter } from './services/batch-cutter.js';
import { DeliveryService, IOT_PUBLISH_BUCKET } from './services/delivery-service.js';
import { EnrollmentService } from './services/enrollment-service.js';
import { GaugeService } from './services/gauge-service.js';
import { PipelineServices } from './services/pipeline-services.js';
import { ReadinessService } from './services/readiness-service.js';
import { ReconcileService } from './services/reconcile-service.js';
import { TagService } from './services/tag-service.js';
import { startAckListener } from './workers/ack-listener.js';
import { createActivationWorker } from './workers/activation-worker.js';
import { createDeliveryWorker } from './workers/delivery-worker.js';
import { createIntakeWorker } from './workers/intake-worker.js';
import { IntervalLoop } from './workers/interval-loop.js';
import { createTagLoop } from './workers/tag-worker.js';
import { AckSessionSlot } from './workers/ack-session-slot.js';

export const ROLES = ['api', 'intake', 'activation', 'delivery', 'ack', 'reconcile', 'tag'] as const;
export type Role = (typeof ROLES)[number];

/** how long the broker keeps the acks of an ack process that is away (then redelivery covers them) */
const ACK_SESSION_EXPIRY_S = 3_600;

export interface AppOptions {
  readonly roles?: readonly Role[];
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** `serve --host/--port` */
  readonly listen?: { readonly host?: string; readonly port?: number };
  /** a batch this long without progress has lost its job and gets it again (default 10 s) */
  readonly stuckAfterMs?: number;
  /** devices delivered this long ago without an ack get their credentials again (default 20 reconcile intervals, 2–60 s) */
  readonly redeliverAfterMs?: number;
  /** the API's socket and request bounds (default DEFAULT_API_LIMITS in src/api/server-limits.ts) */
  readonly apiLimits?: Partial<ApiLimits>;
  /** AWS IoT's cap on message expiry (604,800 s); tests shorten it to watch retained credentials outlive it */
  readonly maxMessageExpirySeconds?: number;
  /** how often the current rate of each AWS call budget is logged (default 60 s) */
  readonly budgetLogIntervalMs?: number;
}

export interface App {
  /** the Fastify instance when the api role is on (listening after start) */
  readonly api: FastifyInstance | undefined;
  readonly services: ApiServices;
  /** device and batch listings, the fleet overview */
  readonly listings: ListingServices;
  readonly metrics: Metrics;
  readonly roles: readonly Role[];
  /** `http://host:port` once listening */
  readonly url: string | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const roles = options.roles ?? ROLES;
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = options.metrics ?? new Metrics({ processMetrics: true });
  const has = (r: Role): boolean => roles.includes(r);

  const keys = new Keys(config.keyPrefix);
  // commands (stores, scripts) and BullMQ (which needs maxRetriesPerRequest: null) get separate clients
  const redis = openRedis(config, { lazyConnect: false, maxRetriesPerRequest: 20 });
  const bullRedis = openRedis(config, { maxRetriesPerRequest: null });
  // with FLEET_REDIS_MIN_REPLICAS the API adds intake jobs on a connection of its own: WAIT counts that
  // connection's writes and blocks it meanwhile, which must not hold up the workers' commands
  const minReplicas = config.redisMinReplicas ?? 0;
  const intakeRedis: RedisConnection | undefined = minReplicas > 0 ? openRedis(config, { maxRetriesPerRequest: 20 }) : undefined;
  // ioredis reconnects by itself; without a listener every failed reconnect is dumped on stderr
  let redisWarnedAt = 0;
  const onRedisError = (err: Error): void => {
    if (Date.now() - redisWarnedAt < 5_000) return;
    redisWarnedAt = Date.now();
    logger.warn({ err: err.message }, 'Redis unreachable; reconnecting');
  };
  redis.on('error', onRedisError);
  bullRedis.on('error', onRedisError);
  intakeRedis?.on('error', onRedisError);
  const scripts = new RedisScripts(redis);
  const devices = new DeviceStore(redis, keys, scripts);
  const batches = new BatchStore(redis, keys, scripts);
  const buffers = new SiteBufferStore(redis, keys, scripts);
  const tagQueue = new TagStore(redis, keys, scripts);
  const jobs = new JobProducer(bullRedis, keys.queuePrefix);
  const intakeJobs = intakeRedis
    ? new JobProducer(intakeRedis, keys.queuePrefix, {
        connection: intakeRedis,
        routeKey: keys.due,
        minReplicas,
        timeoutMs: config.redisReplicaTimeoutMs ?? 1_000,
      })
    : jobs;
  const lease = (name: string, ttlMs = 60_000): Lease => new Lease(redis, keys, scripts, name, ttlMs);

  const limiter = new RedisRateLimiter(redis, (b) => keys.rateBucket(b), {
    [SSM_BUCKET]: { perSecond: config.rateLimits.ssmPerSecond },
    [CREATE_ACTIVATION_BUCKET]: { perSecond: config.rateLimits.createActivationPerSecond },
    [IOT_PUBLISH_BUCKET]: { perSecond: config.rateLimits.iotPublishPerSecond },
    [TAG_BUCKET]: { perSecond: config.rateLimits.tagPerSecond },
  }, (bucket, perSecond) => metrics.rateLimit.set({ bucket }, perSecond));
  const aws = new AwsClients({ defaultRegion: config.awsRegion, caBundle: config.awsCaBundle });
  const ssm = new SdkSsmActivations(aws, limiter, metrics);
  const publisher = new SdkIotPublisher(aws, metrics, options.maxMessageExpirySeconds);
  const cipher = new AesGcmCodeCipher(config.secretKey);
  const signer = new HmacDeliverySigner(config.secretKey);
  const sites = config.sites.sites;
  const nodeQuota = new NodeQuotaService({
    sites: config.sites,
    account: new SdkSsmAccount(aws, limiter, metrics),
    held: new QuotaStore(keys, scripts),
    logger,
    metrics,
    ...(config.nodeQuotaRefreshMs !== undefined ? { refreshEveryMs: config.nodeQuotaRefreshMs } : {}),
  });

  const enrollment = new EnrollmentService({ sites, devices, batches, buffers, jobs: intakeJobs, metrics, tagQueue });
  const acks = new AckService({ devices, signer, topics: config.topics, metrics, logger });
  const gauges = new GaugeService([...sites.keys()], devices, batches, Object.values(jobs.queues), metrics, tagQueue);
  const nodeQuotaOf = (siteId: string) => {
    const site = sites.get(siteId);
    return site === undefined ? undefined : nodeQuota.status(site.region);
  };
  const services = new PipelineServices(enrollment, acks, new ReadinessService(redis, ssm, config.awsRegion), gauges, nodeQuotaOf);

  const retentionStore = new RetentionStore(redis, keys, scripts);
  const listings = new ListingService({
    listing: new ListingStore(keys, scripts),
    devices,
    batches,
    retention: retentionStore,
    // the site view with its node quota and where it comes from (the console shows both)
    siteView: (siteId) => services.site(siteId),
  });

    const destinations = new DestinationConfirmationService({ destinations: new SdkRuleDestinations(aws, metrics), region: config.awsRegion, metrics, logger });
  const api = has('api') ? await buildApi({ config, services, metrics, logger, destinations, listings, ...(options.apiLimits ? { limits: options.apiLimits } : {}) }) : undefined;
  const workers: Worker[] = [];
  const loops: IntervalLoop[] = [];
  let subscriber: AckSubscriber | undefined;
  let ackSlot: AckSessionSlot | undefined;
  let url: string | undefined;
  let budgetLog: NodeJS.Timeout | undefined;
  const loopError = (what: string) => (err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err) }, `${what} pass failed`);
  const workerBase = { connection: bullRedis, prefix: keys.queuePrefix };

  const start = async (): Promise<void> => {
    if (has('intake')) {
      const windows = [...sites.values()].map((s) => s.batchWindowMs);
      // a due buffer waits for the next pass: a tenth of the shortest window (≤ 100 ms) keeps that small next to
      // the window (a quarter, 250 ms, was a sixth of the latency target at a 1 s window); a pass is one ZRANGEBYSCORE
      const cutEvery = Math.min(100, Math.max(25, Math.floor(Math.min(...windows, 1_000) / 10)));
      const cutter = new BatchCutter({ sites, buffers, jobs, metrics, logger });
      const loop = new IntervalLoop(cutEvery, () => cutter.cutDue(), loopError('batch cut'));
      loops.push(loop);
      workers.push(createIntakeWorker(workerBase, enrollment, () => loop.wake()));
      loop.start();
    }
    if (has('activation')) {
      const activation = new ActivationService({
        sites: config.sites,
        nodeQuota,
        batches,
        ssm,
        cipher,
        jobs,
        // a SIGKILLed worker's batch waits this long; an attempt outliving it is fenced by its attempt number
        lease: (name) => lease(name, 30_000),
        retry: config.retry,
        metrics,
        logger,
      });
      workers.push(createActivationWorker(workerBase, activation));
    }
    if (has('delivery')) {
      const delivery = new DeliveryService({ batches, devices, publisher, cipher, signer, limiter, topics: config.topics, metrics, logger });
      workers.push(createDeliveryWorker(workerBase, delivery));
    }
    if (has('reconcile')) {
      const reconcile = new ReconcileService({
        sites: config.sites,
        nodeQuota,
        batches,
        devices,
        ssm,
        publisher,
        limiter,
        jobs,
        leader: lease('reconcile', Math.max(5_000, config.reconcileIntervalMs * 3)),
        topics: config.topics,
        maxRebatches: config.maxRebatches,
        tagNodes: config.nodeTags === 'device',
        awsRetry: {
          attempts: 6,
          baseDelayMs: config.retry.baseDelayMs,
          maxDelayMs: config.retry.maxDelayMs,
          onRetry: (err) => metrics.awsRetries.inc({ operation: err.operation, reason: err.throttled ? 'throttled' : 'error' }),
        },
        metrics,
        logger,
        ...(options.stuckAfterMs !== undefined ? { stuckAfterMs: options.stuckAfterMs } : {}),
        redeliverAfterMs: options.redeliverAfterMs ?? Math.min(60_000, Math.max(2_000, 20 * config.reconcileIntervalMs)),
        ...(options.maxMessageExpirySeconds !== undefined ? { retainedExpiryCapSeconds: options.maxMessageExpirySeconds } : {}),
      });
      const loop = new IntervalLoop(config.reconcileIntervalMs, () => reconcile.tick(), loopError('reconcile'));
      loops.push(loop);
      loop.start();
    }
    if ((has('activation') || has('reconcile') || has('api')) && nodeQuota.accountRegions().length > 0) {
      // read at start and then on every interval: a tier change or nodes deregistered elsewhere unblock batches
      const loop = new IntervalLoop(nodeQuota.refreshEveryMs, () => nodeQuota.refresh(), loopError('node quota'));
      loops.push(loop);
      loop.start();
    }
    if (has('reconcile')) {
      const retentionMs = config.retentionMs ?? DEFAULT_RETENTION_DAYS * DAY_MS;
      const retention = new RetentionService({ siteIds: [...sites.keys()], retention: retentionStore, retentionMs, logger });
      // a sweep pass is a few bounded script calls; with a short retention (tests) it runs more often
      const loop = new IntervalLoop(Math.min(60_000, Math.max(config.reconcileIntervalMs, Math.floor(retentionMs / 4))), () => retention.sweep(), loopError('retention'));
      loops.push(loop);
      loop.start();
    }
    if (has('tag')) {
      if (config.nodeTags === 'device') {
        const tagging = new TagService({
          queue: tagQueue,
          ssm,
          sites,
          metrics,
          logger,
          defaultRegion: config.awsRegion,
          // about two seconds of the tag budget per claim, so a claim's lease is never near its end
          claimLimit: Math.min(500, Math.max(10, config.rateLimits.tagPerSecond * 2)),
          retryBaseMs: config.retry.baseDelayMs,
          retryMaxMs: config.retry.maxDelayMs,
        });
        const loop = createTagLoop(tagging, Math.max(50, Math.min(1_000, config.reconcileIntervalMs)), loopError('node tagging'));
        loops.push(loop);
        loop.start();
      } else {
        logger.info('FLEET_NODE_TAGS=none: managed nodes carry only their activation\'s tags; the tag role is idle');
      }
    }
    for (const w of workers) w.on('error', (err) => logger.error({ err: err.message, queue: w.name }, 'worker error'));
    if (has('ack')) {
      if (config.ackMqttUrl) {
        const filter = topicFilter(config.topics.ack);
        // a persistent MQTT session per ack process: acks published while it is down wait at the broker
        ackSlot = await AckSessionSlot.claim(redis, keys, scripts, filter, {
          onLost: () => logger.warn('ack session slot lease lost; another ack process may use the same MQTT client id'),
        });
        const session = { clientId: ackSlot.clientId, expirySeconds: ACK_SESSION_EXPIRY_S };
        const sub = new MqttAckSubscriber(
          config.ackMqttUrl,
          filter,
          (err) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'ack subscriber'),
          session,
        );
        subscriber = await startAckListener(sub, acks);
      } else {
        logger.info('FLEET_ACK_MQTT_URL not set: acks arrive through POST /v1/acks only');
      }
    }
    if (api) {
      const where = listenAddress(config, logger, options.listen ?? {});
      url = await api.listen({ host: where.host, port: where.port });
    }
    logger.info({ roles, url }, 'fleet-enroll started');
    const batchSize = Math.min(...[...sites.values()].map((s) => s.maxBatchSize), 1_000);
    const allowed = budgetThroughput({ ...config.rateLimits, batchSize, tagging: config.nodeTags === 'device' });
    logger.info(
      { devicesPerSecond: allowed, ceilings: config.rateLimits, batchSize },
      `AWS budgets allow ${allowed.registered} devices/s registered (limited by ${allowed.limitedBy}` +
        (allowed.tagged === null ? '; node tags off)' : `; nodes tagged at up to ${allowed.tagged}/s behind)`),
    );
    // the budgets' current rates (they adapt below their ceilings when AWS throttles)
    budgetLog = setInterval(() => logger.info({ callsPerSecond: limiter.currentRates() }, 'AWS call budgets now'), options.budgetLogIntervalMs ?? 60_000);
    budgetLog.unref();
  };

  const stop = async (): Promise<void> => {
    clearInterval(budgetLog);
    await api?.close();
    await Promise.all(loops.map((l) => l.stop()));
    // BullMQ's close waits for the jobs in progress: none is left stalled behind
    await Promise.all(workers.map((w) => w.close()));
    await subscriber?.close();
    await ackSlot?.release().catch(() => undefined);
    await jobs.close();
    if (intakeJobs !== jobs) await intakeJobs.close();
    publisher.close();
    aws.destroy();
    await Promise.all([redis.quit(), bullRedis.quit(), intakeRedis?.quit()]).catch(() => undefined);
    logger.info('fleet-enroll stopped');
  };

  return {
    api,
    services,
    listings,
    metrics,
    roles,
    get url() {
      return url;
    },
    start,
    stop,
  };
}
