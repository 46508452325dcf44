/** Role intake: one job = one API request's events → dedupe and buffer (Lua), then wake the cutter. */
import { Worker } from 'bullmq';
import { QUEUE, type IntakeJobData } from '../queues/queue-names.js';
import type { EnrollmentService } from '../services/enrollment-service.js';
import { workerOptions, type WorkerBase } from './worker-options.js';

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
