/**
 * What is added during one turn of the event loop, handed over together at its end (setImmediate: after
 * the turn's I/O callbacks, so the messages of one socket read arrive together): callers of one turn cost
 * one Redis call instead of one each, and a lone caller waits no longer than the turn it came in.
 * Used by the rate limiter (takes of one turn) and the ack service (acks of one turn).
 */
export class TurnGatherer<T> {
  private gathered: T[] = [];

  /** `handOver` gets each turn's items, in the order they were added; it must not throw */
  constructor(private readonly handOver: (items: T[]) => void) {}

  add(item: T): void {
    if (this.gathered.length === 0) setImmediate(() => this.flush());
    this.gathered.push(item);
  }

  private flush(): void {
    const items = this.gathered;
    this.gathered = [];
    this.handOver(items);
  }
}
