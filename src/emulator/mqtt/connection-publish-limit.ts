/**
 * AWS IoT's 100 publishes per second per connection (not adjustable), as a token bucket of
 * capacity 100 on the emulator's clock. This is the emulator's own copy of AWS's limit, an
 * independent referee of the orchestrator's local bucket (src/adapters): a client that trusts its
 * own count too much is throttled here, as it would be by AWS. With a frozen clock the bucket
 * refills only when the test moves the clock.
 */
export const PUBLISHES_PER_SECOND = 100;

export class ConnectionPublishLimit {
  private tokens = PUBLISHES_PER_SECOND;
  private updatedAt: number;

  constructor(private readonly now: () => number) {
    this.updatedAt = now();
  }

  /** true: the publish may go ahead; false: over the rate (PUBACK 0x97) */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(PUBLISHES_PER_SECOND, this.tokens + ((now - this.updatedAt) / 1000) * PUBLISHES_PER_SECOND);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
