/** Role intake: one job = one API request's events → dedupe and buffer (Lua), then wake the cutter. */
import { Worker } from 'bullmq';
import { QUEUE, type IntakeJobData } from '../redis/queue-names.js';
import type { EnrollmentService } from '../services/enrollment-service.js';
import { startCutter } from './cutter-loop.js';
import type { PipelineContext, RunningRole } from './pipeline-context.js';
import { runningWorker, workerOptions, type WorkerBase } from './worker-options.js';

export function createIntakeWorker(base: WorkerBase, enrollment: EnrollmentService, afterJob: () => void): Worker<IntakeJobData> {
  return new Worker<IntakeJobData>(
    QUEUE.intake,
    async (job) => {
      const result = await enrollment.intake(job.id!, job.data.events);
      afterJob();
      return result;
    },
    workerOptions(base, 4),
  );
}

/** the intake worker and the cutter it wakes */
export function startIntake(ctx: PipelineContext): RunningRole {
  const cutter = startCutter(ctx);
  const worker = runningWorker(createIntakeWorker(ctx.workerBase, ctx.enrollment, () => cutter.wake()), ctx.logger);
  return {
    // the worker first: a job finishing meanwhile may still wake the cutter
    stop: async () => {
      await worker.stop();
      await cutter.stop();
    },
  };
}
