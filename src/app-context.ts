/**
 * Part of the composition root: builds one process's shared parts — Redis clients, stores, AWS adapters,
 * the services several roles use — and closes them again. Which roles run is src/app.ts's business.
 */
import type { Logger } from 'pino';
import { AwsClients } from './adapters/aws-clients.js';
import { AesGcmCodeCipher } from './adapters/code-cipher.js';
import { HmacDeliverySigner } from './adapters/delivery-signer.js';
import { SdkIotPublisher, type IotPublisher } from './adapters/iot-publisher.js';
import { SignedIotPublisher } from './adapters/signed-iot-publisher.js';
import { MqttIotPublisher, PUBLISHES_PER_SECOND_PER_CONNECTION } from './adapters/mqtt-iot-publisher.js';
import { SignedSsmJson } from './adapters/signed-ssm-json.js';
import { Metrics } from './adapters/metrics.js';
import { RedisRateLimiter } from './adapters/rate-limiter.js';
import { SdkSsmAccount } from './adapters/ssm-account.js';
import { CREATE_ACTIVATION_BUCKET, SdkSsmActivations, SSM_BUCKET, TAG_BUCKET } from './adapters/ssm-activations.js';
import type { Config } from './config.js';
import { BatchStore } from './redis/batch-store.js';
import { DeviceStore } from './redis/device-store.js';
import { JobProducer } from './redis/job-producer.js';
import { Keys } from './redis/keys.js';
import { Lease } from './redis/lease.js';
import { QuotaStore } from './redis/quota-store.js';
import { openRedis, type RedisConnection } from './redis/redis-connection.js';
import { RedisScripts } from './redis/redis-scripts.js';
import { RetentionStore } from './redis/retention-store.js';
import { SiteBufferStore } from './redis/site-buffer-store.js';
import { TagStore } from './redis/tag-store.js';
import { AckService } from './services/ack-service.js';
import { IOT_PUBLISH_BUCKET } from './services/delivery-service.js';
import { EnrollmentService } from './services/enrollment-service.js';
import { NodeQuotaService } from './services/node-quota-service.js';
import type { PipelineContext } from './workers/pipeline-context.js';
import { SdkRuleDestinations } from './adapters/iot-rule-destinations.js';
import type { ApiServices, ListingServices } from './api/services.js';
import { ListingStore } from './redis/listing-store.js';
import { DestinationConfirmationService } from './services/destination-confirmation-service.js';
import { GaugeService } from './services/gauge-service.js';
import { ListingService } from './services/listing-service.js';
import { PipelineServices } from './services/pipeline-services.js';
import { ReadinessService } from './services/readiness-service.js';

export interface ProcessParts extends PipelineContext {
  /** the API's intake jobs: with FLEET_REDIS_MIN_REPLICAS on a connection of their own, waiting for replicas */
  readonly intakeJobs: JobProducer;
  readonly aws: AwsClients;
  /** ends the job producers, the AWS clients and the Redis connections */
  close(): Promise<void>;
}

export interface PartsOptions {
  readonly logger: Logger;
  readonly metrics?: Metrics | undefined;
  readonly maxMessageExpirySeconds?: number | undefined;
}

export function buildProcessParts(config: Config, options: PartsOptions): ProcessParts {
  const { logger } = options;
  const metrics = options.metrics ?? new Metrics({ processMetrics: true });
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
  for (const c of [redis, bullRedis, intakeRedis]) c?.on('error', onRedisError);

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

  const limiter = new RedisRateLimiter(redis, (b) => keys.rateBucket(b), {
    [SSM_BUCKET]: { perSecond: config.rateLimits.ssmPerSecond },
    [CREATE_ACTIVATION_BUCKET]: { perSecond: config.rateLimits.createActivationPerSecond },
    [IOT_PUBLISH_BUCKET]: { perSecond: config.rateLimits.iotPublishPerSecond },
    [TAG_BUCKET]: { perSecond: config.rateLimits.tagPerSecond },
  }, (bucket, perSecond) => metrics.rateLimit.set({ bucket }, perSecond));
  const aws = new AwsClients({ defaultRegion: config.awsRegion, caBundle: config.awsCaBundle });
  // the per-device calls signed by us cost a fraction of an SDK client's CPU per call (bench/README.md, "Publish path")
  const signed = config.perDeviceCalls === 'signed';
  const ssm = new SdkSsmActivations(aws, limiter, metrics, signed ? new SignedSsmJson(aws) : undefined);
  const publisher = publisherFor(config, aws, metrics, options.maxMessageExpirySeconds);
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

  return {
    config,
    logger,
    metrics,
    keys,
    redis,
    scripts,
    devices,
    batches,
    buffers,
    tagQueue,
    retention: new RetentionStore(redis, keys, scripts),
    jobs,
    intakeJobs,
    workerBase: { connection: bullRedis, prefix: keys.queuePrefix },
    limiter,
    aws,
    ssm,
    publisher,
    cipher: new AesGcmCodeCipher(config.secretKey),
    signer,
    nodeQuota,
    enrollment: new EnrollmentService({ sites, devices, batches, buffers, jobs: intakeJobs, metrics, tagQueue }),
    acks: new AckService({ devices, signer, topics: config.topics, metrics, logger }),
    maxMessageExpirySeconds: options.maxMessageExpirySeconds,
    lease: (name, ttlMs) => new Lease(redis, keys, scripts, name, ttlMs),
    loopError: (what) => (err) => logger.error({ err: err instanceof Error ? err.message : String(err) }, `${what} pass failed`),
    close: async () => {
      await jobs.close();
      if (intakeJobs !== jobs) await intakeJobs.close();
      publisher.close();
      aws.destroy();
      await Promise.all([redis.quit(), bullRedis.quit(), intakeRedis?.quit()]).catch(() => undefined);
    },
  };
}

/** What the API answers from: the pipeline's views and gauges, the listings, the destination confirmation. */
export function buildReadServices(
  config: Config,
  parts: ProcessParts,
): { services: ApiServices; listings: ListingServices; destinations: DestinationConfirmationService } {
  const { redis, ssm, keys, scripts, devices, batches, jobs, metrics, nodeQuota, tagQueue, logger } = parts;
  const sites = config.sites.sites;
  const gauges = new GaugeService([...sites.keys()], devices, batches, Object.values(jobs.queues), metrics, tagQueue);
  const nodeQuotaOf = (siteId: string) => {
    const site = sites.get(siteId);
    return site === undefined ? undefined : nodeQuota.status(site.region);
  };
  const services = new PipelineServices(parts.enrollment, parts.acks, new ReadinessService(redis, ssm, config.awsRegion), gauges, nodeQuotaOf);
  // the site view with its node quota and where it comes from (the console shows both)
  const listings = new ListingService({ listing: new ListingStore(keys, scripts), devices, batches, retention: parts.retention, siteView: (siteId) => services.site(siteId) });
  const destinations = new DestinationConfirmationService({ destinations: new SdkRuleDestinations(parts.aws, metrics), region: config.awsRegion, metrics, logger });
  return { services, listings, destinations };
}

/**
 * The credentials and clear publishes: MQTT 5 over WebSocket by default (a fraction of an HTTPS request's CPU,
 * bench/README.md "Publish path"), with as many connections at most as the account's publish budget fills at
 * the publisher's rate per connection (under AWS IoT's 100/s); or the data plane's HTTPS Publish, signed by us or through the SDK.
 */
function publisherFor(config: Config, aws: AwsClients, metrics: Metrics, maxExpirySeconds: number | undefined): IotPublisher {
  if (config.publishTransport === 'mqtt') {
    const maxConnections = Math.ceil(config.rateLimits.iotPublishPerSecond / PUBLISHES_PER_SECOND_PER_CONNECTION);
    return new MqttIotPublisher(aws, metrics, maxExpirySeconds, { maxConnections });
  }
  return config.perDeviceCalls === 'signed' ? new SignedIotPublisher(aws, metrics, maxExpirySeconds) : new SdkIotPublisher(aws, metrics, maxExpirySeconds);
}
