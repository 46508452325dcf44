/**
 * Micro-bench of one cut pass: N sites each with a full buffer of B devices (and a due remainder), a private
 * redis-server, the real stores, scripts and BullMQ producer; the time and CPU of `BatchCutter.cutDue()` until
 * every buffer is cut. `node --import tsx bench/cut-pass.ts [sites] [devicesPerSite] [maxBatchSize]`
 */
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Metrics } from '../src/adapters/metrics.js';
import { RedisServerProcess } from '../src/devtools/redis-server-process.js';
import type { Site } from '../src/domain/site.js';
import { DeviceStore } from '../src/redis/device-store.js';
import { JobProducer } from '../src/redis/job-producer.js';
import { Keys } from '../src/redis/keys.js';
import { RedisScripts } from '../src/redis/redis-scripts.js';
import { SiteBufferStore } from '../src/redis/site-buffer-store.js';
import { BatchCutter } from '../src/services/batch-cutter.js';

const [sitesN = 1000, perSite = 250, max = 100] = process.argv.slice(2).map(Number);
const server = await RedisServerProcess.start();
const redis = new Redis(server.url);
const bull = new Redis(server.url, { maxRetriesPerRequest: null });
const keys = new Keys('cutbench');
const scripts = new RedisScripts(redis);
const devices = new DeviceStore(redis, keys, scripts);
const buffers = new SiteBufferStore(redis, keys, scripts);
const jobs = new JobProducer(bull, keys.queuePrefix);
const sites = new Map<string, Site>();
for (let s = 0; s < sitesN; s++) sites.set(`site-${s}`, { id: `site-${s}`, region: 'us-east-1', maxBatchSize: max, batchWindowMs: 1 } as Site);
const t0 = Date.now() - 10_000;
for (const site of sites.values()) {
  const events = Array.from({ length: perSite }, (_, i) => ({ deviceId: `${site.id}-${i}`, siteId: site.id, thingName: `t-${site.id}-${i}`, attributes: {}, reenroll: false }));
  await devices.intake(`job-${site.id}`, events, () => ({ batchWindowMs: 1, maxBatchSize: max }), t0);
}
const cutter = new BatchCutter({ sites, buffers, jobs, metrics: new Metrics(), logger: pino({ level: 'silent' }) });
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
let batches = 0;
let passes = 0;
for (;;) {
  const cut = await cutter.cutDue();
  passes++;
  batches += cut.length;
  if (cut.length === 0) break;
}
const wallMs = performance.now() - wall0;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  JSON.stringify({ sites: sitesN, perSite, maxBatchSize: max, batches, passes, wallMs: Math.round(wallMs), cpuMs: Math.round((cpu.user + cpu.system) / 1000), msPerBatch: Math.round((wallMs / batches) * 100) / 100 }) + '\n',
);
await jobs.close();
redis.disconnect();
bull.disconnect();
await server.stop();
