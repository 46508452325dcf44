/**
 * What the roles are made of: one process's shared clients, stores, adapters and services, built once by
 * the composition root (src/app-context.ts). Each role file takes what it needs from here and owns the rest:
 * its worker or loop, its interval and its lease, all from `config.pipeline`.
 */
import type { Logger } from 'pino';
import type { IotPublisher } from '../adapters/iot-publisher.js';
import type { Metrics } from '../adapters/metrics.js';
import type { RedisRateLimiter } from '../adapters/rate-limiter.js';
import type { SdkSsmActivations } from '../adapters/ssm-activations.js';
import type { CodeCipher } from '../adapters/code-cipher.js';
import type { DeliverySigner } from '../adapters/delivery-signer.js';
import type { Config } from '../config.js';
import type { BatchStore } from '../redis/batch-store.js';
import type { DeviceStore } from '../redis/device-store.js';
import type { JobProducer } from '../redis/job-producer.js';
import type { Keys } from '../redis/keys.js';
import type { Lease } from '../redis/lease.js';
import type { RedisConnection } from '../redis/redis-connection.js';
import type { RedisScripts } from '../redis/redis-scripts.js';
import type { RetentionStore } from '../redis/retention-store.js';
import type { SiteBufferStore } from '../redis/site-buffer-store.js';
import type { TagStore } from '../redis/tag-store.js';
import type { AckService } from '../services/ack-service.js';
import type { EnrollmentService } from '../services/enrollment-service.js';
import type { NodeQuotaService } from '../services/node-quota-service.js';
import type { WorkerBase } from './worker-options.js';

export interface PipelineContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly keys: Keys;
  /** commands and scripts (BullMQ has a connection of its own, in `workerBase`) */
  readonly redis: RedisConnection;
  readonly scripts: RedisScripts;
  readonly devices: DeviceStore;
  readonly batches: BatchStore;
  readonly buffers: SiteBufferStore;
  readonly tagQueue: TagStore;
  readonly retention: RetentionStore;
  readonly jobs: JobProducer;
  readonly workerBase: WorkerBase;
  readonly limiter: RedisRateLimiter;
  readonly ssm: SdkSsmActivations;
  readonly publisher: IotPublisher;
  readonly cipher: CodeCipher;
  readonly signer: DeliverySigner;
  readonly nodeQuota: NodeQuotaService;
  readonly enrollment: EnrollmentService;
  readonly acks: AckService;
  /** AWS IoT's cap on message expiry, when a test shortens it */
  readonly maxMessageExpirySeconds: number | undefined;
  lease(name: string, ttlMs: number): Lease;
  /** the error handler of a loop's failed pass: logged, the loop goes on */
  loopError(what: string): (err: unknown) => void;
}

/** A role once started: stopping it ends its worker or loop after the work in progress. */
export interface RunningRole {
  stop(): Promise<void>;
}
