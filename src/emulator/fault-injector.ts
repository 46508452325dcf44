/**
 * Decides, per call, which fault (if any) an operation suffers. Coin flips come from an injected
 * random source and token buckets from an injected clock, so a test with a seed and a frozen clock
 * sees exactly the same faults on every run.
 */
import type { FaultConfig, OperationFaults } from './fault-config.js';
import type { OperationKey } from './operations.js';
import type { RandomSource } from '../domain/random-source.js';

export type FaultDecision =
  | { readonly kind: 'throttle' }
  | { readonly kind: 'error' }
  | { readonly kind: 'proceed'; readonly latencyMs: number; readonly dropAnswer: boolean };

const CLEAN: FaultDecision = { kind: 'proceed', latencyMs: 0, dropAnswer: false };

interface TokenBucket {
  tokens: number;
  updatedAt: number;
}

export class FaultInjector {
  private config: FaultConfig = {};
  private buckets = new Map<OperationKey, TokenBucket>();

  constructor(
    private readonly random: RandomSource,
    private readonly now: () => number,
  ) {}

  get faults(): FaultConfig {
    return this.config;
  }

  /** Replaces every setting (an empty config clears all faults) and refills the buckets. */
  set(config: FaultConfig): void {
    this.config = config;
    this.buckets = new Map();
  }

  /** how long after a write its result shows up in this read (0: at once) */
  consistencyDelayMs(operation: OperationKey): number {
    return this.config[operation]?.consistencyDelayMs ?? 0;
  }

  decide(operation: OperationKey): FaultDecision {
    const faults = this.config[operation];
    if (faults === undefined) return CLEAN;
    if (faults.tps !== undefined && !this.take(operation, faults.tps)) return { kind: 'throttle' };
    if (this.flip(faults.throttle)) return { kind: 'throttle' };
    if (this.flip(faults.error)) return { kind: 'error' };
    return { kind: 'proceed', latencyMs: faults.latencyMs ?? 0, dropAnswer: this.flip(faults.dropAnswer) };
  }

  private flip(probability: OperationFaults['throttle']): boolean {
    return probability !== undefined && probability > 0 && this.random() < probability;
  }

  /** Burst capacity is one second's worth (at least one call). */
  private take(operation: OperationKey, tps: number): boolean {
    const capacity = Math.max(1, tps);
    const now = this.now();
    let bucket = this.buckets.get(operation);
    if (bucket === undefined) {
      bucket = { tokens: capacity, updatedAt: now };
      this.buckets.set(operation, bucket);
    }
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.updatedAt) / 1000) * tps);
    bucket.updatedAt = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
