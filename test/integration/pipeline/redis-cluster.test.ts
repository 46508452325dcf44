/**
 * The pipeline on a real Redis Cluster started by the test: 3 masters with a replica each (redis-server
 * --cluster-enabled yes, joined by redis-cli --cluster create), REDIS_CLUSTER_NODES seeds, the intake's
 * 202 waiting for one replica (FLEET_REDIS_MIN_REPLICAS=1). Every device of the run registers; every key
 * of the fleet — stores, scripts, limiter and BullMQ's — lives on the master that holds the fleet's slot.
 * Prints Redis commands per device (INFO commandstats over the masters) for docs/REDIS-CLUSTER.md.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisClusterProcess } from '../../support/redis-cluster.js';
import { PipelineHarness } from './support/pipeline-harness.js';

// FLEET_CLUSTER_TEST_DEVICES scales the run for the figures in docs/REDIS-CLUSTER.md (npm test keeps 400)
const SCALE = Number(process.env.FLEET_CLUSTER_TEST_DEVICES ?? 400) / 400;
const SITES = [
  { id: 'cl-a', maxBatchSize: 100, devices: Math.round(250 * SCALE) },
  { id: 'cl-b', maxBatchSize: 100, devices: Math.round(150 * SCALE) },
];
const TOTAL = SITES.reduce((n, s) => n + s.devices, 0);

describe('pipeline on a 3-master Redis Cluster (a replica each)', () => {
  let cluster: RedisClusterProcess;
  let h: PipelineHarness | undefined;

  beforeAll(async () => {
    cluster = await RedisClusterProcess.start({ masters: 3, replicasPerMaster: 1 });
  }, 60_000);
  afterAll(async () => {
    try {
      await h?.stop();
    } finally {
      await cluster?.stop();
    }
  });

  it('registers every device, with every key in the fleet slot', async () => {
    const before = await cluster.commandCalls();
    const cpuBefore = await cluster.cpuSeconds();
    h = await PipelineHarness.start({
      sites: SITES.map((s) => ({ id: s.id, maxBatchSize: s.maxBatchSize })),
      batchWindowMs: 500,
      config: { redisUrl: cluster.nodes[0]!.url, redisClusterNodes: cluster.seeds, redisMinReplicas: 1, redisReplicaTimeoutMs: 2_000 },
    });
    const started = Date.now();
    const events = SITES.flatMap((s) => h!.events(s.id, s.devices));
    expect(await h.enroll(events, 100)).toEqual({ accepted: TOTAL, duplicates: 0 });
    const ids = SITES.map((s) => s.id);
    await h.waitFor(() => h!.allSettled(ids, TOTAL), 60_000 * Math.max(1, SCALE), () => h!.describeCounts(ids));
    const ms = Date.now() - started;
    for (const e of events) expect((await h.app.services.device(e.deviceId))?.state).toBe('registered');

    // one slot holds the whole fleet: the other masters have none of its keys
    const slot = await cluster.keySlot(h.keys.root);
    const { master, replicas } = await cluster.ownerOf(slot);
    expect(replicas.length).toBe(1);
    for (const n of (await cluster.topology()).filter((x) => x.role === 'master')) {
      const redis = new Redis(cluster.node(n.port).url);
      try {
        const found = await redis.keys(`${h.keys.root}*`);
        if (n.id === master.id) {
          expect(found.some((k) => k.startsWith(`${h!.keys.queuePrefix}:intake:`))).toBe(true);
          expect(found.some((k) => k.includes(':dev:'))).toBe(true);
        } else {
          expect(found).toEqual([]);
          expect(await redis.dbsize()).toBe(0);
        }
      } finally {
        redis.disconnect();
      }
    }

    const after = await cluster.commandCalls();
    const cpuAfter = await cluster.cpuSeconds();
    const cpuMs = (port: number): number => ((cpuAfter.get(port) ?? 0) - (cpuBefore.get(port) ?? 0)) * 1000;
    // an idle master's CPU over the same time (cron, cluster bus) is not the fleet's work
    const idle = (await cluster.topology()).filter((n) => n.role === 'master' && n.id !== master.id).map((n) => cpuMs(n.port));
    const masterCpuMs = cpuMs(master.port) - idle.reduce((a, b) => a + b, 0) / Math.max(1, idle.length);
    let commands = 0;
    let usec = 0;
    const perCommand: string[] = [];
    for (const [name, now] of after) {
      const was = before.get(name) ?? { calls: 0, usec: 0 };
      const d = now.calls - was.calls;
      if (d <= 0 || name.startsWith('cluster') || name === 'info' || name === 'keys' || name === 'dbsize') continue;
      commands += d;
      usec += now.usec - was.usec;
      perCommand.push(`${name}=${(d / TOTAL).toFixed(2)}`);
    }
    // commandstats counts the commands a script runs too (its evalsha holds their time as well)
    console.log(
      `redis cluster: ${TOTAL} devices in ${ms} ms; ${commands} commands = ${(commands / TOTAL).toFixed(1)} per device, ` +
        `${(usec / TOTAL).toFixed(0)} µs in commands (scripts counted twice), ` +
        `slot master process CPU ${masterCpuMs.toFixed(0)} ms = ${((masterCpuMs * 1000) / TOTAL).toFixed(0)} µs per device (${perCommand.join(' ')})`,
    );
    expect(commands).toBeGreaterThan(0);
  }, 100_000 * Math.max(1, SCALE));
});
