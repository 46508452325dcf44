/**
 * The composition root: builds clients, stores, adapters, services and the roles asked for; `start()` runs
 * them, `stop()` ends them gracefully (workers finish their running jobs, loops their pass, connections
 * close). Roles: api, intake, activation, delivery, ack, reconcile — all by default, any subset per process.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Worker } from 'bullmq';
import { MqttAckSubscriber, type AckSubscriber } from './adapters/ack-subscriber.js';
import { AwsClients } from './adapters/aws-clients.js';
import { AesGcmCodeCipher } from './adapters/code-cipher.js';
import { SdkIotPublisher } from './adapters/iot-publisher.js';
import { createLogger } from './adapters/logger.js';
import { Metrics } from './adapters/metrics.js';
import { RedisRateLimiter } from './adapters/rate-limiter.js';
import { CREATE_ACTIVATION_BUCKET, SdkSsmActivations, SSM_BUCKET } from './adapters/ssm-activations.js';
import { buildApi, listenAddress } from './api/app.js';
import type { ApiServices } from './api/services.js';
import type { Config } from './config.js';
import { topicFilter } from './domain/topics.js';
import { BatchStore } from './queues/batch-store.js';
import { DeviceStore } from './queues/device-store.js';
import { JobProducer } from './queues/job-producer.js';
import { Keys } from './queues/keys.js';
import { Lease } from './queues/lease.js';
import { openRedis, type RedisConnection } from './queues/redis-connection.js';
import { RedisScripts } from './queues/redis-scripts.js';
import { SiteBufferStore } from './queues/site-buffer-store.js';
import { AckService } from './services/ack-service.js';
import { ActivationService } from './services/activation-service.js';
import { BatchCutter } from './services/batch-cutter.js';
import { DeliveryService, IOT_PUBLISH_BUCKET } from './services/delivery-service.js';
import { EnrollmentService } from './services/enrollment-service.js';
import { GaugeService } from './services/gauge-service.js';
import { PipelineServices } from './services/pipeline-services.js';
import { ReadinessService } from './services/readiness-service.js';
import { ReconcileService } from './services/reconcile-service.js';
import { startAckListener } from './workers/ack-listener.js';
import { createActivationWorker } from './workers/activation-worker.js';
import { createDeliveryWorker } from './workers/delivery-worker.js';
import { createIntakeWorker } from './workers/intake-worker.js';
import { IntervalLoop } from './workers/interval-loop.js';
import { AckSessionSlot } from './workers/ack-session-slot.js';

export const ROLES = ['api', 'intake', 'activation', 'delivery', 'ack', 'reconcile'] as const;
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
}

export interface App {
  /** the Fastify instance when the api role is on (listening after start) */
  readonly api: FastifyInstance | undefined;
  readonly services: ApiServices;
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
  });
  const aws = new AwsClients({ defaultRegion: config.awsRegion });
  const ssm = new SdkSsmActivations(aws, limiter, metrics);
  const publisher = new SdkIotPublisher(aws, metrics);
  const cipher = new AesGcmCodeCipher(config.secretKey);
  const sites = config.sites.sites;

  const enrollment = new EnrollmentService({ sites, devices, batches, buffers, jobs: intakeJobs, metrics });
  const acks = new AckService({ devices, topics: config.topics, metrics, logger });
  const gauges = new GaugeService([...sites.keys()], devices, batches, Object.values(jobs.queues), metrics);
  const services = new PipelineServices(enrollment, acks, new ReadinessService(redis, ssm, config.awsRegion), gauges);

  const api = has('api') ? await buildApi({ config, services, metrics, logger }) : undefined;
  const workers: Worker[] = [];
  const loops: IntervalLoop[] = [];
  let subscriber: AckSubscriber | undefined;
  let ackSlot: AckSessionSlot | undefined;
  let url: string | undefined;
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
      const delivery = new DeliveryService({ batches, devices, publisher, cipher, limiter, topics: config.topics, metrics, logger });
      workers.push(createDeliveryWorker(workerBase, delivery));
    }
    if (has('reconcile')) {
      const reconcile = new ReconcileService({
        sites: config.sites,
        batches,
        devices,
        ssm,
        publisher,
        limiter,
        jobs,
        leader: lease('reconcile', Math.max(5_000, config.reconcileIntervalMs * 3)),
        topics: config.topics,
        maxRebatches: config.maxRebatches,
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
      });
      const loop = new IntervalLoop(config.reconcileIntervalMs, () => reconcile.tick(), loopError('reconcile'));
      loops.push(loop);
      loop.start();
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
  };

  const stop = async (): Promise<void> => {
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
    metrics,
    roles,
    get url() {
      return url;
    },
    start,
    stop,
  };
}
