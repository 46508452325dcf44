/** Options every pipeline worker shares. */
import type { ConnectionOptions, Worker, WorkerOptions } from 'bullmq';
import type { Logger } from 'pino';

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

/** A BullMQ worker as a running role: its errors logged, its close waiting for the jobs in progress. */
export function runningWorker(worker: Worker, logger: Logger): { stop(): Promise<void> } {
  worker.on('error', (err) => logger.error({ err: err.message, queue: worker.name }, 'worker error'));
  return { stop: () => worker.close() };
}
