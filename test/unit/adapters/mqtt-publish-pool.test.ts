/**
 * The pool's choices with fake connections and a fake clock: the first connection with room takes a publish,
 * another opens only when all are full (up to the cap), the rest wait in order and go when a PUBACK or the
 * token bucket frees room, none is dropped; a connection that cannot be opened fails the waiting publishes;
 * idle and old connections are closed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionState, MqttPublishConnection, PublishJob } from '../../../src/adapters/mqtt-publish-connection.js';
import { MqttPublishPool, type ConnectionOpener } from '../../../src/adapters/mqtt-publish-pool.js';

/** a connection with room for `capacity` unacked publishes, opened when the test says */
class FakeConnection {
  state: ConnectionState = 'connecting';
  receiveMaximum = 0;
  readonly jobs: PublishJob[] = [];
  openedAt: number;
  lastUsed: number;
  tokens = Number.POSITIVE_INFINITY;
  closed = false;
  readonly ready: Promise<void>;
  private settle!: { resolve: () => void; reject: (e: unknown) => void };

  constructor(
    readonly events: { onRoom: (c: MqttPublishConnection) => void; onGone: (c: MqttPublishConnection) => void },
    private readonly capacity: number,
    now: number,
  ) {
    this.openedAt = this.lastUsed = now;
    this.ready = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.ready.catch(() => undefined);
  }
  get unacked(): number {
    return this.jobs.length;
  }
  hasRoom(): boolean {
    return this.state === 'open' && this.jobs.length < this.receiveMaximum && this.tokens >= 1;
  }
  msUntilToken(): number {
    return this.tokens >= 1 ? 0 : 10;
  }
  publish(job: PublishJob, now: number): void {
    this.tokens--;
    this.lastUsed = now;
    this.jobs.push(job);
  }
  tick(): void {}
  close(): void {
    this.closed = true;
    this.lose();
  }
  connect(): void {
    this.state = 'open';
    this.receiveMaximum = this.capacity;
    this.settle.resolve();
    this.events.onRoom(this as unknown as MqttPublishConnection);
  }
  refuse(err: Error): void {
    this.state = 'closed';
    this.settle.reject(err);
    this.events.onGone(this as unknown as MqttPublishConnection);
  }
  /** PUBACKs the oldest `n` */
  ack(n: number): void {
    for (const j of this.jobs.splice(0, n)) j.resolve();
    this.events.onRoom(this as unknown as MqttPublishConnection);
  }
  lose(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    for (const j of this.jobs.splice(0)) j.reject(new Error('lost'));
    this.events.onGone(this as unknown as MqttPublishConnection);
  }
}

let now = 1_000_000;
let opened: FakeConnection[];
let pool: MqttPublishPool;

function makePool(maxConnections: number, capacity: number, settings: Partial<{ idleCloseMs: number; maxConnectionAgeMs: number }> = {}): MqttPublishPool {
  const open: ConnectionOpener = async (events) => {
    const c = new FakeConnection(events, capacity, now);
    opened.push(c);
    return c as unknown as MqttPublishConnection;
  };
  pool = new MqttPublishPool(open, { maxConnections, expectedRoomPerConnection: capacity, idleCloseMs: 60_000, maxConnectionAgeMs: 86_400_000, now: () => now, ...settings });
  return pool;
}

/** a publish nobody awaits: its rejection when the pool closes after the test is expected */
const fire = (topic: string): void => void pool.publish(topic, Buffer.alloc(0), undefined).catch(() => undefined);
const flush = () => new Promise((r) => setImmediate(r));

beforeEach(() => {
  opened = [];
  now = 1_000_000;
});
afterEach(() => {
  vi.useRealTimers();
  pool.close();
});

describe('MqttPublishPool', () => {
  it('opens lazily, packs onto the first connection with room, opens another only when it is full', async () => {
    makePool(3, 2);
    expect(opened).toHaveLength(0);
    const done = [0, 1, 2].map((i) => pool.publish(`t/${i}`, Buffer.alloc(0), undefined));
    await flush();
    // three waiting, two per connection: two openings cover them
    expect(opened).toHaveLength(2);
    opened[0]!.connect();
    await flush();
    expect(opened[0]!.jobs.map((j) => j.topic)).toEqual(['t/0', 't/1']);
    opened[1]!.connect();
    await flush();
    expect(opened[1]!.jobs.map((j) => j.topic)).toEqual(['t/2']);
    opened[0]!.ack(2);
    opened[1]!.ack(1);
    await Promise.all(done);
    // room again on the first: the next publish goes there, no new connection
    fire('t/3');
    expect(opened[0]!.jobs.map((j) => j.topic)).toEqual(['t/3']);
    expect(opened).toHaveLength(2);
  });

  it('warms up with one connection ahead of the first publish, once; the first publish then goes on it', async () => {
    makePool(3, 2);
    const warming = pool.warm();
    await flush();
    expect(opened).toHaveLength(1);
    void pool.warm();
    await flush();
    expect(opened).toHaveLength(1);
    opened[0]!.connect();
    await warming;
    fire('t/0');
    expect(opened[0]!.jobs.map((j) => j.topic)).toEqual(['t/0']);
    expect(opened).toHaveLength(1);
  });

  it('never opens more than the cap; the rest wait in order and go as PUBACKs free room, none dropped', async () => {
    makePool(2, 3);
    const topics = Array.from({ length: 20 }, (_, i) => `t/${i}`);
    const settled = topics.map((t) => pool.publish(t, Buffer.alloc(0), undefined));
    await flush();
    expect(opened).toHaveLength(2);
    for (const c of opened) c.connect();
    await flush();
    expect(pool.waiting).toBe(14);
    const sent: string[] = [];
    while (sent.length < topics.length) {
      for (const c of opened) {
        sent.push(...c.jobs.map((j) => j.topic));
        c.ack(c.jobs.length);
      }
      await flush();
    }
    await Promise.all(settled);
    expect([...sent].sort()).toEqual([...topics].sort());
    // FIFO: publishes leave the queue in the order they came
    expect(sent.slice(0, 6).sort()).toEqual(topics.slice(0, 6).sort());
    expect(opened).toHaveLength(2);
  });

  it('waits for the token bucket when a connection is out of tokens, not only for PUBACKs', async () => {
    makePool(1, 100);
    fire('a');
    await flush();
    opened[0]!.connect();
    await flush();
    opened[0]!.tokens = 0;
    fire('b');
    expect(pool.waiting).toBe(1);
    opened[0]!.tokens = 1;
    // pumped on a timer of at least 100 ms, so a rate-limited connection spends several tokens in one frame
    await new Promise((r) => setTimeout(r, 40));
    expect(pool.waiting).toBe(1);
    await new Promise((r) => setTimeout(r, 110));
    expect(pool.waiting).toBe(0);
    expect(opened[0]!.jobs.map((j) => j.topic)).toEqual(['a', 'b']);
  });

  it('fails the waiting publishes with the error of a connection that could not be opened, and opens anew later', async () => {
    makePool(1, 10);
    const a = pool.publish('a', Buffer.alloc(0), undefined);
    await flush();
    const refused = Object.assign(new Error('refused'), { name: 'AccessDeniedException' });
    opened[0]!.refuse(refused);
    await expect(a).rejects.toBe(refused);
    expect(pool.size).toBe(0);
    fire('b');
    await flush();
    expect(opened).toHaveLength(2);
  });

  it('replaces a lost connection for those still waiting; its unacked publishes fail (the publisher retries them)', async () => {
    makePool(1, 1);
    const a = pool.publish('a', Buffer.alloc(0), undefined);
    const b = pool.publish('b', Buffer.alloc(0), undefined);
    await flush();
    opened[0]!.connect();
    await flush();
    opened[0]!.lose();
    await expect(a).rejects.toThrow('lost');
    await flush();
    expect(opened).toHaveLength(2);
    opened[1]!.connect();
    await flush();
    expect(opened[1]!.jobs.map((j) => j.topic)).toEqual(['b']);
    opened[1]!.ack(1);
    await b;
  });

  it('closes a connection idle for idleCloseMs, and one past its age once drained', async () => {
    vi.useFakeTimers();
    makePool(2, 10, { idleCloseMs: 5_000, maxConnectionAgeMs: 60_000 });
    fire('a');
    await vi.advanceTimersByTimeAsync(0);
    opened[0]!.connect();
    await vi.advanceTimersByTimeAsync(0);
    now += 3_000;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(opened[0]!.closed).toBe(false); // a publish in flight: not idle
    opened[0]!.ack(1);
    now += 5_000;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(opened[0]!.closed).toBe(true);
    expect(pool.size).toBe(0);

    fire('b');
    await vi.advanceTimersByTimeAsync(0);
    opened[1]!.connect();
    await vi.advanceTimersByTimeAsync(0);
    now += 61_000;
    await vi.advanceTimersByTimeAsync(1_000);
    // retired: takes nothing new, a new one opens for the next publish, closed once its publish is acked
    fire('c');
    await vi.advanceTimersByTimeAsync(0);
    expect(opened).toHaveLength(3);
    expect(opened[1]!.closed).toBe(false);
    opened[1]!.ack(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(opened[1]!.closed).toBe(true);
  });

  it('rejects publishes after close, and those still waiting', async () => {
    makePool(1, 1);
    const a = pool.publish('a', Buffer.alloc(0), undefined);
    await flush();
    pool.close();
    await expect(a).rejects.toThrow(/closed/);
    await expect(pool.publish('b', Buffer.alloc(0), undefined)).rejects.toThrow(/closed/);
  });
});
