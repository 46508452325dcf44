/**
 * Ingest: events accepted per second through the API (bulk requests from a few concurrent clients, the api
 * and intake roles running in one orchestrator process so the jobs are really processed), through the intake
 * queue alone (JobProducer → intake worker → Lua, no HTTP), and the baseline a BullMQ user would write: one
 * job per event (Queue.addBulk in chunks of 1,000) and a worker that does nothing — on the same Redis.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { deviceIdFor } from '../../src/cli/demo/factory-line.js';
import { demoSites } from '../../src/cli/demo/demo-sites.js';
import type { OnboardingEvent } from '../../src/domain/onboarding-event.js';
import { JobProducer } from '../../src/redis/job-producer.js';
import { Keys } from '../../src/redis/keys.js';
import type { BenchOptions } from '../bench-options.js';
import { OrchestratorProcess } from '../orchestrator-process.js';
import { benchPrefix, deleteMatching } from '../redis-keys.js';
import { perSecond, type Row, type ScenarioResult } from '../result-file.js';

const SITES = 100;
const BASELINE_MAX_EVENTS = 200_000;
const ADD_BULK_CHUNK = 1000;

interface Throughput {
  readonly events: number;
  /** events handed over (202 from the API, job in Redis) per second */
  readonly acceptedPerSecond: number;
  /** events processed (in the site buffers / no-op job completed) per second, from the first request */
  readonly processedPerSecond: number;
  readonly acceptMs: number;
  readonly processMs: number;
  readonly orchestratorRssMb: number;
  readonly orchestratorCpuSeconds: number;
}

/** request r: site r % SITES, the next `size` devices of that site */
function requests(total: number, size: number): OnboardingEvent[][] {
  const siteIds = demoSites({ devices: total, sites: SITES, region: 'us-east-1' }).map((s) => s.site.id);
  const out: OnboardingEvent[][] = [];
  for (let r = 0, done = 0; done < total; r++) {
    const siteId = siteIds[r % SITES]!;
    const from = Math.floor(r / SITES) * size;
    const n = Math.min(size, total - done);
    out.push(
      Array.from({ length: n }, (_, i) => {
        const deviceId = deviceIdFor(siteId, from + i);
        return { deviceId, siteId, thingName: `edge-${deviceId.replace(/\./g, '-')}`, attributes: { model: 'X1', line: '1' }, reenroll: false };
      }),
    );
    done += n;
  }
  return out;
}

/** one path's figures: events per second accepted and processed, and the process that did the work */
function throughput(events: number, started: number, acceptedAt: number, processedAt: number, usage: { rssBytes: number; cpuSeconds: number }): Throughput {
  return {
    events,
    acceptedPerSecond: perSecond(events, acceptedAt - started),
    processedPerSecond: perSecond(events, processedAt - started),
    acceptMs: acceptedAt - started,
    processMs: processedAt - started,
    orchestratorRssMb: Math.round(usage.rssBytes / 2 ** 20),
    orchestratorCpuSeconds: Math.round(usage.cpuSeconds * 10) / 10,
  };
}

/** `clients` loops taking the next item until none is left; resolves with when the last one finished */
async function inParallel<T>(items: readonly T[], clients: number, work: (item: T) => Promise<void>): Promise<number> {
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
  return Date.now();
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('ingest: events not processed in time');
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now();
}

/** devices in the site buffers or further: the sum of every site's state counts */
async function countedDevices(redis: Redis, keys: Keys, siteIds: readonly string[]): Promise<number> {
  const pipeline = redis.pipeline();
  for (const id of siteIds) pipeline.hvals(keys.counts(id));
  const results = (await pipeline.exec()) ?? [];
  return results.reduce((n, [, vals]) => n + (vals as string[]).reduce((a, v) => a + Number(v), 0), 0);
}

async function throughApi(options: BenchOptions, redisUrl: string): Promise<Throughput> {
  const keyPrefix = benchPrefix('ingest-api');
  const bodies = requests(options.events, options.requestEvents).map((events) => JSON.stringify({ events }));
  const siteIds = demoSites({ devices: options.events, sites: SITES, region: 'us-east-1' }).map((s) => s.site.id);
  const orchestrator = await OrchestratorProcess.start({ roles: ['api', 'intake'], redisUrl, keyPrefix, devices: options.events, sites: SITES }, options.cpuProfileDir);
  const redis = new Redis(redisUrl);
  const keys = new Keys(keyPrefix);
  try {
    let accepted = 0;
    const started = Date.now();
    const acceptedAt = await inParallel(bodies, options.clients, async (body) => {
      const res = await fetch(`${orchestrator.url}/v1/enrollments`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      if (res.status !== 202) throw new Error(`POST /v1/enrollments answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
      accepted += ((await res.json()) as { accepted: number }).accepted;
    });
    const processedAt = await waitFor(async () => (await countedDevices(redis, keys, siteIds)) >= accepted, 600_000);
    const usage = await orchestrator.usage();
    return throughput(accepted, started, acceptedAt, processedAt, usage);
  } finally {
    redis.disconnect();
    await orchestrator.stop();
    await deleteMatching(redisUrl, keys.everything);
  }
}

async function throughIntakeQueue(options: BenchOptions, redisUrl: string): Promise<Throughput> {
  const keyPrefix = benchPrefix('ingest-queue');
  const batches = requests(options.events, options.requestEvents);
  const siteIds = demoSites({ devices: options.events, sites: SITES, region: 'us-east-1' }).map((s) => s.site.id);
  const orchestrator = await OrchestratorProcess.start({ roles: ['intake'], redisUrl, keyPrefix, devices: options.events, sites: SITES });
  const keys = new Keys(keyPrefix);
  const bull = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const redis = new Redis(redisUrl);
  const producer = new JobProducer(bull, keys.queuePrefix);
  try {
    const started = Date.now();
    const acceptedAt = await inParallel(batches, options.clients, async (events) => void (await producer.addIntake(events)));
    const processedAt = await waitFor(async () => (await countedDevices(redis, keys, siteIds)) >= options.events, 600_000);
    const usage = await orchestrator.usage();
    return throughput(options.events, started, acceptedAt, processedAt, usage);
  } finally {
    await producer.close();
    redis.disconnect();
    bull.disconnect();
    await orchestrator.stop();
    await deleteMatching(redisUrl, keys.everything);
  }
}

/** what a BullMQ user would write: one job per event, added in bulk, a worker (concurrency 50) doing nothing */
async function bullmqOneJobPerEvent(options: BenchOptions, redisUrl: string): Promise<Throughput> {
  const total = Math.min(options.events, BASELINE_MAX_EVENTS);
  const prefix = `{${benchPrefix('bullmq')}}`;
  const events = requests(total, ADD_BULK_CHUNK);
  const worker = await OrchestratorProcess.start({ roles: [], redisUrl, keyPrefix: prefix, devices: total, sites: SITES, noopWorker: { queue: 'events', prefix, concurrency: 50 } });
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('events', { connection, prefix });
  try {
    const started = Date.now();
    const acceptedAt = await inParallel(events, options.clients, async (chunk) => {
      await queue.addBulk(chunk.map((e) => ({ name: 'event', data: e, opts: { removeOnComplete: true, removeOnFail: true } })));
    });
    const processedAt = await waitFor(async () => {
      const c = await queue.getJobCounts('waiting', 'active', 'prioritized', 'delayed');
      return Object.values(c).every((n) => n === 0);
    }, 900_000);
    const usage = await worker.usage();
    return throughput(total, started, acceptedAt, processedAt, usage);
  } finally {
    await queue.close();
    connection.disconnect();
    await worker.stop();
    await deleteMatching(redisUrl, `${prefix}:*`);
  }
}

export async function ingestScenario(options: BenchOptions, redisUrl: string): Promise<ScenarioResult> {
  const api = await throughApi(options, redisUrl);
  const queue = await throughIntakeQueue(options, redisUrl);
  const bullmq = await bullmqOneJobPerEvent(options, redisUrl);
  // like with like: handed over (202 / job in Redis) against BullMQ's jobs added, processed against processed
  const ratio = (a: number, b: number, what: string): string => `${(a / Math.max(1, b)).toFixed(1)}× BullMQ's ${what}`;
  const vsAdded = (a: number): string => ratio(a, bullmq.acceptedPerSecond, 'added/s');
  const vsProcessed = (a: number): string => ratio(a, bullmq.processedPerSecond, 'processed/s');
  const rows: Row[] = [
    ['API: events accepted/s', api.acceptedPerSecond, `${api.events} events, ${options.requestEvents}/request, ${options.clients} clients; target ≥ 50,000; ${vsAdded(api.acceptedPerSecond)}`],
    ['API: events processed by intake/s', api.processedPerSecond, `in the site buffers (deduped, Lua); ${vsProcessed(api.processedPerSecond)}`],
    ['API+intake process: RSS / CPU', `${api.orchestratorRssMb} MB / ${api.orchestratorCpuSeconds} s`],
    ['intake queue alone: enqueued/s', queue.acceptedPerSecond, `JobProducer.addIntake, no HTTP; ${vsAdded(queue.acceptedPerSecond)}`],
    ['intake queue alone: processed/s', queue.processedPerSecond, vsProcessed(queue.processedPerSecond)],
    ['BullMQ one job per event: added/s', bullmq.acceptedPerSecond, `${bullmq.events} events, addBulk × ${ADD_BULK_CHUNK}, ${options.clients} clients`],
    ['BullMQ one job per event: processed/s', bullmq.processedPerSecond, 'no-op worker, concurrency 50, own process'],
  ];
  return { scenario: 'ingest', rows, data: { options: { events: options.events, requestEvents: options.requestEvents, clients: options.clients, sites: SITES }, api, intakeQueue: queue, bullmqOneJobPerEvent: bullmq } };
}
