/**
 * Batch states (docs/CONTRACT.md) and the moves between them.
 *
 *   open → creating → active → completed | expired
 *
 * - `blocked` waits for node quota: `open|creating → blocked → creating` (re-checked by reconcile).
 * - `creating → creating` is not a move: a retried attempt stays `creating` (attempts are counted apart).
 * - `open|creating|blocked → failed`: permanent AWS error or attempts used up; `failed → open` re-drives
 *   it (POST /v1/batches/{id}/retry, `fleet-enroll retry`).
 * - `active → failed` is not allowed: a batch with a live activation ends `completed` or `expired`, so
 *   its activation is always deleted (invariant 5). `completed` and `expired` are final; an expired
 *   batch's unregistered devices go into new batches.
 */
import { StateMachine } from './state-machine.js';

export const BATCH_STATES = ['open', 'creating', 'active', 'blocked', 'completed', 'expired', 'failed'] as const;
export type BatchState = (typeof BATCH_STATES)[number];

export const batchStateMachine = new StateMachine<BatchState>('batch', {
  open: ['creating', 'blocked', 'failed'],
  creating: ['active', 'blocked', 'failed'],
  blocked: ['creating', 'failed'],
  active: ['completed', 'expired'],
  completed: [],
  expired: [],
  failed: ['open'],
});

export function canBatchTransition(from: BatchState, to: BatchState): boolean {
  return batchStateMachine.canTransition(from, to);
}

export function assertBatchTransition(from: BatchState, to: BatchState): void {
  batchStateMachine.assertTransition(from, to);
}
