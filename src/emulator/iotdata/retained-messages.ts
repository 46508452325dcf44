/**
 * The retained messages the emulator published, for GetRetainedMessage (the broker is not asked:
 * an external one has no such API). Messages with an expiry are swept once they lapse, and the
 * sink is told, so the embedded broker (MQTT 3.1.1, no expiry of its own) drops them too.
 */
export interface RetainedMessage {
  readonly payload: Buffer;
  readonly qos: 0 | 1;
  /** epoch ms */
  readonly lastModified: number;
  /** epoch ms, or undefined when it never expires */
  readonly expiresAt: number | undefined;
}

export class RetainedMessages {
  private readonly messages = new Map<string, RetainedMessage>();
  /** second → topics due then; entries may be stale (message replaced or cleared since) */
  private readonly due = new Map<number, string[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly now: () => number,
    private readonly onExpired: (topic: string) => void,
    sweepEveryMs = 1000,
  ) {
    if (sweepEveryMs > 0) {
      this.timer = setInterval(() => this.sweep(), sweepEveryMs);
      this.timer.unref();
    }
  }

  get size(): number {
    return this.messages.size;
  }

  /** A retained publish: a zero-byte payload clears the topic's message. */
  put(topic: string, message: RetainedMessage): void {
    if (message.payload.length === 0) {
      this.messages.delete(topic);
      return;
    }
    this.messages.set(topic, message);
    if (message.expiresAt !== undefined) {
      const second = Math.ceil(message.expiresAt / 1000);
      const topics = this.due.get(second);
      if (topics === undefined) this.due.set(second, [topic]);
      else topics.push(topic);
    }
  }

  get(topic: string): RetainedMessage | undefined {
    const message = this.messages.get(topic);
    if (message?.expiresAt !== undefined && message.expiresAt <= this.now()) {
      this.expire(topic);
      return undefined;
    }
    return message;
  }

  /** Drops every lapsed message; runs on a timer, and can be called directly (tests with a fake clock). */
  sweep(): void {
    const nowSecond = Math.floor(this.now() / 1000);
    for (const [second, topics] of this.due) {
      if (second > nowSecond) continue;
      this.due.delete(second);
      for (const topic of topics) {
        const message = this.messages.get(topic);
        if (message?.expiresAt !== undefined && message.expiresAt <= this.now()) this.expire(topic);
      }
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private expire(topic: string): void {
    this.messages.delete(topic);
    this.onExpired(topic);
  }
}
