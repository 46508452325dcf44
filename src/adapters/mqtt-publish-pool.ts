/**
 * The MQTT connections one process publishes on. A publish goes to the first open connection with room
 * (under its Receive Maximum and its 100/s), so a turn's publishes pack onto as few connections — and frames
 * — as the limits allow; when none has room another is opened, up to `maxConnections` (ceil of the publish
 * rate over 100/s: the global limiter already keeps the account's rate), else the publish waits in a FIFO
 * queue until a PUBACK or the token bucket frees room. Nothing is dropped: a publish leaves only on its
 * PUBACK or as an error (a lost connection, or no connection could be opened), which the publisher retries.
 * Connections open lazily, close after `idleCloseMs` without publishes, and are retired before AWS IoT's
 * 24 h connection lifetime.
 */
import type { MqttPublishConnection, PublishJob } from './mqtt-publish-connection.js';

export interface MqttPoolSettings {
  readonly maxConnections: number;
  /** what a connection can take at once before its first CONNACK says: how many queued publishes one opening covers */
  readonly expectedRoomPerConnection: number;
  readonly idleCloseMs: number;
  readonly maxConnectionAgeMs: number;
  readonly now: () => number;
}

/** opens one connection, its events wired to the pool's */
export type ConnectionOpener = (events: { onRoom: (c: MqttPublishConnection) => void; onGone: (c: MqttPublishConnection) => void }) => Promise<MqttPublishConnection>;

const SWEEP_MS = 1_000;
/**
 * a queue held back by the token buckets is pumped at most this often: at 100/s a connection then has ~10
 * tokens to spend in one frame, not one per frame (one frame per publish costs what the HTTPS path did)
 */
const MIN_REFILL_WAIT_MS = 100;

export class MqttPublishPool {
  private readonly connections: MqttPublishConnection[] = [];
  private readonly retiring = new Set<MqttPublishConnection>();
  private opening = 0;
  /** FIFO of waiting publishes: `queue[head]` is the oldest */
  private queue: PublishJob[] = [];
  private head = 0;
  private refillTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly events = { onRoom: (c: MqttPublishConnection) => this.onRoom(c), onGone: (c: MqttPublishConnection) => this.onGone(c) };

  constructor(
    private readonly open: ConnectionOpener,
    private readonly settings: MqttPoolSettings,
  ) {}

  get size(): number {
    return this.connections.length;
  }

  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** resolves on the publish's PUBACK, rejects with its failure */
  publish(topic: string, payload: Buffer, expirySeconds: number | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.closed) {
        reject(new Error('the MQTT publisher is closed'));
        return;
      }
      const job: PublishJob = { topic, payload, expirySeconds, resolve, reject };
      if (this.waiting === 0) {
        const now = this.settings.now();
        const c = this.withRoom(now);
        if (c) {
          c.publish(job, now);
          return;
        }
      }
      this.queue.push(job);
      this.pump();
    });
  }

  /** one connection opened ahead of the first publish, when none is open or opening (a failure waits for that publish) */
  async warm(): Promise<void> {
    if (this.closed || this.connections.length + this.opening > 0) return;
    await this.openOne();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.refillTimer);
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    for (const c of [...this.connections]) c.close();
    this.rejectWaiting(new Error('the MQTT publisher is closed'));
  }

  private withRoom(now: number): MqttPublishConnection | undefined {
    for (const c of this.connections) if (!this.retiring.has(c) && c.hasRoom(now)) return c;
    return undefined;
  }

  /**
   * a connection opened or got PUBACKs: the waiting go to it alone. Had another had room, the queue would have
   * been empty (tokens refilled since are the timer's), so no scan of every connection per PUBACK frame.
   */
  private onRoom(c: MqttPublishConnection): void {
    if (this.closed || this.waiting === 0) return;
    const now = this.settings.now();
    while (this.waiting > 0 && !this.retiring.has(c) && c.hasRoom(now)) c.publish(this.queue[this.head++]!, now);
    this.afterDispatch(now);
  }

  /** hands waiting publishes to connections with room; opens connections or sets a timer for the rest */
  private pump(): void {
    if (this.closed) return;
    const now = this.settings.now();
    while (this.waiting > 0) {
      const c = this.withRoom(now);
      if (!c) break;
      c.publish(this.queue[this.head++]!, now);
    }
    this.afterDispatch(now);
  }

  private afterDispatch(now: number): void {
    if (this.head > 1_024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.waiting === 0) {
      this.queue = [];
      this.head = 0;
      return;
    }
    // the waiting publishes not yet covered by connections being opened
    while (this.opening * this.settings.expectedRoomPerConnection < this.waiting && this.connections.length + this.opening < this.settings.maxConnections) {
      void this.openOne();
    }
    this.armRefillTimer(now);
  }

  /** when an open connection is short of tokens only, pump again once it has one (a PUBACK pumps anyway) */
  private armRefillTimer(now: number): void {
    if (this.refillTimer) return;
    let wait = Number.POSITIVE_INFINITY;
    for (const c of this.connections) {
      if (c.state === 'open' && !this.retiring.has(c) && c.unacked < c.receiveMaximum) wait = Math.min(wait, c.msUntilToken(now));
    }
    if (wait === Number.POSITIVE_INFINITY) return;
    this.refillTimer = setTimeout(() => {
      this.refillTimer = undefined;
      this.pump();
    }, Math.max(MIN_REFILL_WAIT_MS, wait));
  }

  private async openOne(): Promise<void> {
    this.opening++;
    try {
      const c = await this.open(this.events);
      this.connections.push(c);
      this.startSweeping();
      if (this.closed) c.close();
      await c.ready;
    } catch (err) {
      this.opening--;
      this.onOpenFailed(err);
      return;
    }
    this.opening--;
    this.pump();
  }

  /** a connection that could not be opened: when no other can take the waiting publishes, they fail with its error */
  private onOpenFailed(err: unknown): void {
    if (this.opening === 0 && !this.connections.some((c) => c.state === 'open')) this.rejectWaiting(err);
    else this.pump();
  }

  private onGone(c: MqttPublishConnection): void {
    const i = this.connections.indexOf(c);
    if (i >= 0) this.connections.splice(i, 1);
    this.retiring.delete(c);
    if (this.connections.length === 0 && this.opening === 0) this.stopSweeping();
    // those waiting get a replacement when they need one (but not from within a failed open: it reports itself)
    if (c.state === 'closed' && c.receiveMaximum > 0) this.pump();
  }

  private rejectWaiting(err: unknown): void {
    const waiting = this.queue.slice(this.head);
    this.queue = [];
    this.head = 0;
    for (const job of waiting) job.reject(err);
  }

  private startSweeping(): void {
    if (this.sweepTimer) return;
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweepTimer.unref();
  }

  private stopSweeping(): void {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  /** keep-alive and ack timeouts; idle connections closed; old ones retired (no new publishes) and closed once drained */
  private sweep(): void {
    const now = this.settings.now();
    for (const c of [...this.connections]) {
      if (c.state !== 'open') continue;
      c.tick(now);
      if (now - c.openedAt >= this.settings.maxConnectionAgeMs) this.retiring.add(c);
      const idle = c.unacked === 0 && now - c.lastUsed >= this.settings.idleCloseMs;
      if (c.state === 'open' && c.unacked === 0 && (idle || this.retiring.has(c))) c.close();
    }
  }
}
