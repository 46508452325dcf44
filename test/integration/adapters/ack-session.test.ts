/**
 * The ack subscriber's persistent session on the real Mosquitto: an ack published while the ack process is
 * away (stopped, or gone without a word and its slot lease left to lapse) arrives when it returns, under the
 * same client id. Own topic root and key prefix; the broker session and the keys are removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MqttAckSubscriber } from '../../../src/adapters/ack-subscriber.js';
import { deleteMatching } from '../../../src/devtools/delete-keys.js';
import { Keys } from '../../../src/redis/keys.js';
import { Lease } from '../../../src/redis/lease.js';
import { RedisScripts } from '../../../src/redis/redis-scripts.js';
import { AckSessionSlot } from '../../../src/workers/ack-session-slot.js';
import { MOSQUITTO_URL, REDIS_URL } from '../pipeline/support/test-config.js';

const run = randomBytes(4).toString('hex');
const root = `ack-session-${run}`;
const filter = `${root}/fleet/enroll/+/+/ack`;
const TTL_MS = 900;

async function publishAck(thing: string, n: number): Promise<void> {
  const client = await mqtt.connectAsync(MOSQUITTO_URL, { clientId: `pub-${run}-${n}`, clean: true });
  await client.publishAsync(`${root}/fleet/enroll/site-1/${thing}/ack`, JSON.stringify({ n }), { qos: 1 });
  await client.endAsync();
}

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && ['ECONNRESET', 'EPIPE', 'ECONNREFUSED'].includes(code);
}

async function until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ack subscriber: persistent MQTT session', () => {
  const redis = new Redis(REDIS_URL);
  const keys = new Keys(`fleet-ack-session-${run}`);
  const scripts = new RedisScripts(redis);
  const clientIds = new Set<string>();
  // as in production (logged there): a dropped connection is the client's to redial; a failing handler is a bug
  const handlerErrors: unknown[] = [];
  const onError = (err: unknown): void => {
    if (!isConnectionError(err)) handlerErrors.push(err);
  };

  afterEach(() => {
    expect(handlerErrors).toEqual([]);
  });

  afterAll(async () => {
    // end the broker sessions this test made: a clean connect with the same client ids
    for (const clientId of clientIds) {
      const c = await mqtt.connectAsync(MOSQUITTO_URL, { clientId, clean: true, protocolVersion: 5, properties: { sessionExpiryInterval: 0 } });
      await c.endAsync();
    }
    await deleteMatching(REDIS_URL, keys.everything);
    await redis.quit();
  });

  async function subscriber(received: number[]): Promise<{ sub: MqttAckSubscriber; slot: AckSessionSlot }> {
    const slot = await AckSessionSlot.claim(redis, keys, scripts, filter, { ttlMs: TTL_MS });
    clientIds.add(slot.clientId);
    const session = { clientId: slot.clientId, expirySeconds: 60, quietMs: 500 };
    const sub = new MqttAckSubscriber(MOSQUITTO_URL, filter, onError, session);
    await sub.start(async (_topic, payload) => {
      received.push((JSON.parse(payload.toString()) as { n: number }).n);
    });
    return { sub, slot };
  }

  it('gets the acks published while it was stopped when it starts again', async () => {
    const first: number[] = [];
    const a = await subscriber(first);
    try {
      await publishAck('edge-1', 1);
      await until(() => first.includes(1), 5_000, 'ack 1 while running');
    } finally {
      await a.sub.close();
      await a.slot.release();
    }

    await publishAck('edge-1', 2);
    await publishAck('edge-2', 3);

    const second: number[] = [];
    const b = await subscriber(second);
    try {
      expect(b.slot.clientId).toBe(a.slot.clientId);
      await until(() => second.includes(2) && second.includes(3), 5_000, `acks 2 and 3 after the restart (got ${JSON.stringify(second)})`);
      // ack 1 may come again (its session copy was in flight at the stop): a repeat is harmless, counted stale
      expect(b.sub.caughtUp).toBeGreaterThanOrEqual(2);
    } finally {
      await b.sub.close();
      await b.slot.release();
    }
  });

  it('loses nothing in a burst while it runs (a persistent session alone would: the broker bounds its queue)', async () => {
    const got: number[] = [];
    const a = await subscriber(got);
    try {
      // a resumed session's catch-up window (quietMs 500) is over before the burst
      await new Promise((r) => setTimeout(r, 800));
      const caughtUpBefore = a.sub.caughtUp;
      const pub = await mqtt.connectAsync(MOSQUITTO_URL, { clientId: `pub-${run}-burst`, clean: true });
      const N = 3_000;
      const sent = Promise.all(Array.from({ length: N }, (_, i) => pub.publishAsync(`${root}/fleet/enroll/site-1/edge-b${i}/ack`, JSON.stringify({ n: 10_000 + i }), { qos: 1 })));
      // the ack process is busy while the burst arrives (as under load): the broker must not drop what waits for it
      setTimeout(() => {
        const until = Date.now() + 1_500;
        while (Date.now() < until);
      }, 0);
      await sent;
      await pub.endAsync();
      const burst = (): number[] => got.filter((n) => n >= 10_000);
      await until(() => burst().length >= N, 30_000, `burst: ${burst().length} of ${N}`);
      await new Promise((r) => setTimeout(r, 300));
      // each exactly once: the session client's copies are not handled while the live client runs
      expect(new Set(burst()).size).toBe(N);
      expect(burst().length).toBe(N);
      expect(a.sub.caughtUp).toBe(caughtUpBefore);
    } finally {
      await a.sub.close();
      await a.slot.release();
    }
  });

  it('two ack processes at once get different client ids', async () => {
    const a = await AckSessionSlot.claim(redis, keys, scripts, filter, { ttlMs: TTL_MS });
    const b = await AckSessionSlot.claim(redis, keys, scripts, filter, { ttlMs: TTL_MS });
    try {
      expect([a.slot, b.slot]).toEqual([0, 1]);
      expect(a.clientId).not.toBe(b.clientId);
    } finally {
      await a.release();
      await b.release();
    }
  });

  it('a restarted process takes over the slot of one that died without releasing it', async () => {
    // a holder that stopped renewing: its lease lapses after TTL_MS
    const dead = new Lease(redis, keys, scripts, 'ack-session-0', TTL_MS);
    expect(await dead.hold()).toBe(true);
    const started = Date.now();
    const next = await AckSessionSlot.claim(redis, keys, scripts, filter, { ttlMs: TTL_MS });
    try {
      expect(next.slot).toBe(0);
      // it waited for the dead holder's lease to lapse (a live holder renews and keeps its slot: test above)
      expect(Date.now() - started).toBeGreaterThanOrEqual(TTL_MS - 100);
    } finally {
      await next.release();
    }
  });
});
