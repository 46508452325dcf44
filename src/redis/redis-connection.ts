/**
 * The one place that opens Redis for production code: one Redis at REDIS_URL, or a Redis Cluster from
 * REDIS_CLUSTER_NODES seeds. Stores, scripts, the rate limiter and BullMQ all take a RedisConnection.
 * Every key shares the `{prefix}` hash tag (BullMQ's too: its prefix is `{prefix}:q`), so on a cluster the
 * whole fleet lives in one slot and multi-key scripts and pipelines stay valid.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';

export type RedisConnection = Redis | Cluster;

export interface RedisTarget {
  readonly redisUrl: string;
  readonly redisClusterNodes?: readonly { readonly host: string; readonly port: number }[];
}

/** Credentials and TLS from REDIS_URL, for the cluster's nodes (their addresses come from the cluster). */
function clusterNodeOptions(redisUrl: string): RedisOptions {
  const url = new URL(redisUrl);
  return {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: { servername: url.hostname } } : {}),
  };
}

export function openRedis(target: RedisTarget, options: RedisOptions = {}): RedisConnection {
  const seeds = target.redisClusterNodes;
  if (!seeds || seeds.length === 0) return new Redis(target.redisUrl, options);
  return new Cluster(
    seeds.map((n) => ({ host: n.host, port: n.port })),
    {
      redisOptions: { ...clusterNodeOptions(target.redisUrl), ...options },
      // a failover moves the slot: keep commands queued and retried while the replica is promoted
      enableOfflineQueue: true,
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 300,
      retryDelayOnTryAgain: 100,
      maxRedirections: 64,
      slotsRefreshTimeout: 2_000,
      clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
    },
  );
}
