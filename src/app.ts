/**
 * The composition root: the process's shared parts (src/app-context.ts), the API, and a table of roles —
 * api, intake (with the cutter), activation, delivery, ack, reconcile (with retention), tag — all by
 * default, any subset per process. `start()` runs them, `stop()` ends them gracefully (workers finish
 * their running jobs, loops their pass, connections close).
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createLogger } from './adapters/logger.js';
import type { Metrics } from './adapters/metrics.js';
import { buildApi, listenAddress } from './api/app.js';
import type { ApiLimits } from './api/server-limits.js';
import type { ApiServices, ListingServices } from './api/services.js';
import { buildProcessParts, buildReadServices } from './app-context.js';
import type { Config } from './config.js';
import { startAck } from './workers/ack-listener.js';
import { startActivation } from './workers/activation-worker.js';
import { startBudgetLog } from './workers/budget-log.js';
import { startDelivery } from './workers/delivery-worker.js';
import { startIntake } from './workers/intake-worker.js';
import { startNodeQuotaRefresh } from './workers/node-quota-loop.js';
import type { PipelineContext, RunningRole } from './workers/pipeline-context.js';
import { startReconcile } from './workers/reconcile-loop.js';
import { startRetention } from './workers/retention-loop.js';
import { startTagging } from './workers/tag-worker.js';

export const ROLES = ['api', 'intake', 'activation', 'delivery', 'ack', 'reconcile', 'tag'] as const;
export type Role = (typeof ROLES)[number];

type Starter = (ctx: PipelineContext) => RunningRole | undefined | Promise<RunningRole | undefined>;

/** What each role starts (the api role's server is built below; it also wants the node quota read). */
const ROLE_PARTS: Record<Role, readonly Starter[]> = {
  api: [],
  intake: [startIntake],
  activation: [startActivation],
  delivery: [startDelivery],
  ack: [startAck],
  reconcile: [startReconcile, startRetention],
  tag: [startTagging],
};
const READS_NODE_QUOTA: readonly Role[] = ['api', 'activation', 'reconcile'];

export interface AppOptions {
  readonly roles?: readonly Role[];
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** `serve --host/--port` */
  readonly listen?: { readonly host?: string; readonly port?: number };
  /** the API's socket and request bounds (default DEFAULT_API_LIMITS in src/api/server-limits.ts) */
  readonly apiLimits?: Partial<ApiLimits>;
  /** AWS IoT's cap on message expiry (604,800 s); tests shorten it to watch retained credentials outlive it */
  readonly maxMessageExpirySeconds?: number;
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
  const parts = buildProcessParts(config, { logger, metrics: options.metrics, maxMessageExpirySeconds: options.maxMessageExpirySeconds });
  const { metrics } = parts;
  const { services, listings, destinations } = buildReadServices(config, parts);
  const api = roles.includes('api')
    ? await buildApi({ config, services, metrics, logger, destinations, listings, ...(options.apiLimits ? { limits: options.apiLimits } : {}) })
    : undefined;

  const running: RunningRole[] = [];
  let url: string | undefined;
  const start = async (): Promise<void> => {
    const starters = roles.flatMap((r) => ROLE_PARTS[r]);
    if (roles.some((r) => READS_NODE_QUOTA.includes(r))) starters.push(startNodeQuotaRefresh);
    starters.push(startBudgetLog);
    for (const startPart of starters) {
      const part = await startPart(parts);
      if (part) running.push(part);
    }
    if (api) {
      const where = listenAddress(config, logger, options.listen ?? {});
      url = await api.listen({ host: where.host, port: where.port });
    }
    logger.info({ roles, url }, 'fleet-enroll started');
  };

  const stop = async (): Promise<void> => {
    await api?.close();
    // loops end after their pass, workers after the jobs in progress: none is left stalled behind
    await Promise.all(running.splice(0).map((r) => r.stop()));
    await parts.close();
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
