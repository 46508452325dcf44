/** Batch states (DESIGN.md). `blocked` waits for node quota; `expired` re-batches what did not register. */
export const BATCH_STATES = ['open', 'creating', 'active', 'blocked', 'completed', 'expired', 'failed'] as const;
export type BatchState = (typeof BATCH_STATES)[number];
