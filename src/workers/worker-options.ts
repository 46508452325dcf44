/** Options every pipeline worker shares. */
import type { ConnectionOptions, WorkerOptions } from 'bullmq';

export interface WorkerBase {
  readonly connection: ConnectionOptions;
  /** BullMQ prefix, `{<keyPrefix>}:q` */
  readonly prefix: string;
}

export function workerOptions(base: WorkerBase, concurrency: number): WorkerOptions {
  return {
    connection: base.connection,
    prefix: base.prefix,
    concurrency,
    // jobs are short; a worker that died is noticed within seconds, not half a minute
    lockDuration: 20_000,
    stalledInterval: 10_000,
    maxStalledCount: 5,
  };
}
