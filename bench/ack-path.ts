/**
 * Micro-bench of the ack path: AckService (MAC check, ack script) against a real Redis, for acks that are
 * each a device's first `registered` ack (the case a fleet's enrollment is made of). Each round enrolls,
 * cuts and activates its own devices first (not measured), then sends every ack with `concurrency` of them
 * in flight at once: 1 is a lone ack at a time, larger is a burst as the MQTT subscriber hands them over.
 * Reports this process's CPU per ack (process.cpuUsage), acks per second and the ack script calls made
 * (counted here, not from Redis INFO: other runs may share the Redis). Uses its own key prefix and deletes
 * its keys at the end.
 * `node --import tsx bench/ack-path.ts [acksPerRound] [rounds] [concurrency…]`     (REDIS_URL, default local)
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { HmacDeliverySigner } from '../src/adapters/delivery-signer.js';
import { Metrics } from '../src/adapters/metrics.js';
import { deleteMatching } from '../src/devtools/delete-keys.js';
import type { AckMessage } from '../src/domain/messages.js';
import { BatchStore } from '../src/redis/batch-store.js';
import { DeviceStore } from '../src/redis/device-store.js';
import { Keys } from '../src/redis/keys.js';
import { RedisScripts } from '../src/redis/redis-scripts.js';
import { SiteBufferStore } from '../src/redis/site-buffer-store.js';
import { AckService } from '../src/services/ack-service.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const [perRound = 20_000, rounds = 3, ...given] = process.argv.slice(2).map(Number);
const concurrencies = given.length > 0 ? given : [1, 256];
const BATCH_SIZE = 1_000;
const SITE = 'bench-ack';
const ACTIVATION_ID = '11111111-2222-3333-4444-555555555555';
const POLICY = { batchWindowMs: 1_000, maxBatchSize: BATCH_SIZE };

const redis = new Redis(REDIS_URL);
const keys = new Keys(`bench-ack-${randomBytes(4).toString('hex')}`);
const scripts = new RedisScripts(redis);
const devices = new DeviceStore(redis, keys, scripts);
const batches = new BatchStore(redis, keys, scripts);
const buffers = new SiteBufferStore(redis, keys, scripts);
// every ack script call goes through RedisScripts.run, before and after acks were batched
let ackScriptCalls = 0;
const run = scripts.run.bind(scripts);
scripts.run = (name, key, args) => {
  if (name === 'fleetAck') ackScriptCalls++;
  return run(name, key, args);
};
const signer = new HmacDeliverySigner(randomBytes(32));
const acks = new AckService({ devices, signer, topics: { credentials: 'unused', ack: 'unused' }, metrics: new Metrics(), logger: pino({ level: 'silent' }) });

interface Sent {
  readonly ack: AckMessage;
  readonly topic: { siteId: string; thingName: string };
}

let enrolled = 0;
let batchSeq = 0;

/** `n` devices waiting for their ack (`activated`), and each one's first `registered` ack. */
async function waitingDevices(n: number): Promise<Sent[]> {
  const now = Date.now();
  const events = Array.from({ length: n }, (_, i) => {
    const deviceId = `SN-${String(enrolled + i).padStart(9, '0')}`;
    return { deviceId, siteId: SITE, thingName: `edge-${deviceId}`, attributes: {}, reenroll: false };
  });
  await devices.intake(`job-${enrolled}`, events, () => POLICY, now);
  const sent: Sent[] = [];
  for (let first = 0; first < n; first += BATCH_SIZE) {
    const batchId = `b-bench-${String(++batchSeq).padStart(6, '0')}`;
    const size = await buffers.cut({ siteId: SITE, batchId, region: 'us-east-1', maxBatchSize: BATCH_SIZE, batchWindowMs: 0 }, now + POLICY.batchWindowMs);
    const attempt = await batches.beginAttempt(batchId, now);
    await batches.activated(batchId, { activationId: ACTIVATION_ID, sealedCode: 'sealed', expiresAt: now + 3_600_000, nonce: 'n1', attempt }, now);
    for (let index = 0; index < size; index++) {
      const deviceId = events[first + index]!.deviceId;
      const managedNodeId = `mi-${(enrolled + first + index).toString(16).padStart(17, '0')}`;
      sent.push({
        ack: { v: 1, deliveryId: signer.sign(`${batchId}.${index}.n1`), activationId: ACTIVATION_ID, status: 'registered', managedNodeId },
        topic: { siteId: SITE, thingName: `edge-${deviceId}` },
      });
    }
  }
  enrolled += n;
  return sent;
}

async function round(sent: readonly Sent[], concurrency: number): Promise<{ cpuMs: number; wallMs: number; calls: number; accepted: number }> {
  let next = 0;
  let accepted = 0;
  const calls0 = ackScriptCalls;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < sent.length) {
        const s = sent[next++]!;
        if ((await acks.ack(s.ack, 'mqtt', s.topic)) === 'accepted') accepted++;
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1_000, wallMs, calls: ackScriptCalls - calls0, accepted };
}

try {
  // warm-up: scripts loaded, JIT warm
  for (const c of concurrencies) await round(await waitingDevices(2_000), c);
  const totals = new Map<number, { cpuMs: number; wallMs: number; calls: number; n: number }>();
  for (let r = 0; r < rounds; r++) {
    for (const c of r % 2 === 0 ? concurrencies : [...concurrencies].reverse()) {
      const sent = await waitingDevices(perRound);
      const res = await round(sent, c);
      if (res.accepted !== sent.length) throw new Error(`round ${r + 1}, concurrency ${c}: ${res.accepted} of ${sent.length} acks accepted`);
      const t = totals.get(c) ?? { cpuMs: 0, wallMs: 0, calls: 0, n: 0 };
      totals.set(c, { cpuMs: t.cpuMs + res.cpuMs, wallMs: t.wallMs + res.wallMs, calls: t.calls + res.calls, n: t.n + sent.length });
      console.log(
        `round ${r + 1} concurrency ${String(c).padStart(4)}: ${((res.cpuMs * 1_000) / sent.length).toFixed(1).padStart(6)} µs CPU/ack  ` +
          `${Math.round(sent.length / (res.wallMs / 1_000)).toLocaleString('en-US').padStart(7)} acks/s  ${res.calls.toLocaleString('en-US')} script calls`,
      );
    }
  }
  console.log(`\n${perRound.toLocaleString('en-US')} acks per round, ${rounds} rounds (totals)`);
  console.log('concurrency   µs CPU/ack    acks/s   acks/script call');
  for (const [c, t] of totals) {
    console.log(
      `${String(c).padStart(11)} ${((t.cpuMs * 1_000) / t.n).toFixed(1).padStart(12)} ${Math.round(t.n / (t.wallMs / 1_000)).toLocaleString('en-US').padStart(9)} ${(t.n / t.calls).toFixed(1).padStart(18)}`,
    );
  }
} finally {
  await deleteMatching(REDIS_URL, keys.everything);
  redis.disconnect();
}
