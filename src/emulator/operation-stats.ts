/** Counts per operation, read by `GET /emulator/state`: how many calls, and what the faults did to them. */
import type { OperationKey } from './operations.js';

export interface OperationCounts {
  /** authenticated calls that reached fault injection */
  calls: number;
  /** answered ThrottlingException by an injected fault or the TPS cap */
  throttled: number;
  /** answered 500 by an injected fault */
  failed: number;
  /** work done, answer dropped (connection closed) */
  dropped: number;
  /** refused by the operation itself (validation, unknown resource…) */
  rejected: number;
}

export class OperationStats {
  private readonly counts = new Map<OperationKey, OperationCounts>();
  authFailures = 0;

  of(operation: OperationKey): OperationCounts {
    let counts = this.counts.get(operation);
    if (counts === undefined) {
      counts = { calls: 0, throttled: 0, failed: 0, dropped: 0, rejected: 0 };
      this.counts.set(operation, counts);
    }
    return counts;
  }

  snapshot(): Record<string, OperationCounts> {
    return Object.fromEntries([...this.counts].map(([op, c]) => [op, { ...c }]));
  }
}
