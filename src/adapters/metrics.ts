/**
 * Prometheus instruments, one registry per process (injected, so tests get their own).
 * Label values are ids of operations, states and sites — never secrets, never device ids.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** seconds; accept→credentials is bounded by the batch window (≤ a few s), accept→registered by devices */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 3, 5, 10, 30, 60, 120, 300, 900];

export class Metrics {
  readonly registry = new Registry();

  readonly awsCalls = new Counter({
    name: 'fleet_aws_calls_total',
    help: 'AWS API calls by operation and outcome (ok, throttled, error)',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly activationRetries = new Counter({
    name: 'fleet_activation_retries_total',
    help: 'CreateActivation attempts after the first, per batch',
    registers: [this.registry],
  });

  readonly orphansDeleted = new Counter({
    name: 'fleet_orphan_activations_deleted_total',
    help: 'activations of lost attempts found by DefaultInstanceName and deleted',
    registers: [this.registry],
  });

  readonly duplicates = new Counter({
    name: 'fleet_enrollment_duplicates_total',
    help: 'events for devices already in flight (not enqueued twice)',
    registers: [this.registry],
  });

  readonly rejectedEvents = new Counter({
    name: 'fleet_enrollment_rejected_total',
    help: 'invalid events refused with per-field errors',
    registers: [this.registry],
  });

  readonly acks = new Counter({
    name: 'fleet_acks_total',
    help: 'device acks by source (http, mqtt) and result (accepted, stale, forged, claimed, invalid)',
    labelNames: ['source', 'result'] as const,
    registers: [this.registry],
  });

  readonly strays = new Counter({
    name: 'fleet_stray_registrations_total',
    help: 'managed nodes registered with one of our activations but claimed by no device of its batch',
    registers: [this.registry],
  });

  readonly awsRetries = new Counter({
    name: 'fleet_aws_retries_total',
    help: 'idempotent AWS calls (describe, tag, delete, publish-clear) retried after throttling or a transient error',
    labelNames: ['operation', 'reason'] as const,
    registers: [this.registry],
  });

  readonly activationThrottles = new Counter({
    name: 'fleet_activation_throttles_total',
    help: 'batch activation attempts delayed by AWS throttling (no attempt used)',
    registers: [this.registry],
  });

  readonly batchesCut = new Counter({
    name: 'fleet_batches_cut_total',
    help: 'batches cut from site buffers (full or window passed)',
    registers: [this.registry],
  });

  readonly batchesFinished = new Counter({
    name: 'fleet_batches_finished_total',
    help: 'batches that ended, by state (completed, expired, failed)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly rebatches = new Counter({
    name: 'fleet_devices_rebatched_total',
    help: 'devices put back in their site buffer after their activation expired unregistered',
    registers: [this.registry],
  });

  readonly quotaBlocked = new Counter({
    name: 'fleet_quota_blocked_total',
    help: 'times a batch waited because its Region had no managed-node quota left',
    registers: [this.registry],
  });

  readonly destinationConfirmations = new Counter({
    name: 'fleet_destination_confirmations_total',
    help: 'AWS IoT DestinationConfirmation messages received at POST /v1/acks, by result (confirmed, already-confirmed, unknown-destination, wrong-region, busy, invalid, error)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly nodeQuotaRoom = new Gauge({
    name: 'fleet_node_quota_room',
    help: 'managed nodes a Region still takes, as last read from the account (-1 = unlimited, advanced tier)',
    labelNames: ['region'] as const,
    registers: [this.registry],
  });

  readonly credentialsPublished = new Counter({
    name: 'fleet_credentials_published_total',
    help: 'credentials messages published to device topics',
    registers: [this.registry],
  });

  readonly devicesByState = new Gauge({
    name: 'fleet_devices',
    help: 'devices per state (from Redis, at scrape time)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly batchesByState = new Gauge({
    name: 'fleet_batches',
    help: 'batches per state (from Redis, at scrape time)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'fleet_queue_jobs',
    help: 'BullMQ jobs per queue and job state',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  readonly acceptToCredentials = new Histogram({
    name: 'fleet_accept_to_credentials_seconds',
    help: 'from event accepted to credentials published',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly acceptToRegistered = new Histogram({
    name: 'fleet_accept_to_registered_seconds',
    help: 'from event accepted to registration verified with SSM',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly oldestBatchSeconds = new Gauge({
    name: 'fleet_batch_oldest_seconds',
    help: 'seconds since the longest-waiting batch of each live state (open, creating, active, blocked) last changed (from Redis, at scrape time; 0 when none)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly nodesTagged = new Counter({
    name: 'fleet_node_tags_total',
    help: 'managed-node tagging outcomes of the tag role (tagged, retry, refused)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly tagBacklog = new Gauge({
    name: 'fleet_tag_backlog',
    help: 'registered devices whose managed node waits for its device tags',
    registers: [this.registry],
  });

  readonly rateLimit = new Gauge({
    name: 'fleet_rate_limit_per_second',
    help: 'current rate of each global AWS call bucket (adapts below its configured ceiling)',
    labelNames: ['bucket'] as const,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'fleet_process_' });
  }
}
