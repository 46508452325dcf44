/**
 * `WAIT numreplicas timeout` for the writes a connection made so far, sent to the node that holds the
 * fleet's slot (on a cluster, a keyless WAIT would go to any node: the pipeline's routing key pins it).
 */
import { FleetError } from '../domain/errors.js';
import type { RedisConnection } from './redis-connection.js';

export class ReplicasNotAcknowledgedError extends FleetError {
  constructor(
    readonly acknowledged: number,
    readonly required: number,
    readonly timeoutMs: number,
  ) {
    super(
      'UNAVAILABLE',
      `the request was written to the Redis master but ${acknowledged} of the ${required} required replicas ` +
        `acknowledged it within ${timeoutMs} ms, so a failover could lose it; send it again (devices already in flight count as duplicates)`,
    );
  }
}

/** Resolves with the replicas that have every write of this connection so far; throws when fewer than `required`. */
export async function waitForReplicas(conn: RedisConnection, routeKey: string, required: number, timeoutMs: number): Promise<number> {
  if (required <= 0) return 0;
  const results = (await conn.pipeline().exists(routeKey).wait(required, timeoutMs).exec()) ?? [];
  const [err, acknowledged] = results[1] ?? [new Error('WAIT got no answer'), 0];
  if (err) throw err;
  if (Number(acknowledged) < required) throw new ReplicasNotAcknowledgedError(Number(acknowledged), required, timeoutMs);
  return Number(acknowledged);
}
