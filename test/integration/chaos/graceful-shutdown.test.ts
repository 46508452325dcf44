/**
 * SIGTERM mid-batch: a `fleet-enroll serve --roles activation,delivery` process gets SIGTERM while a
 * CreateActivation call is in flight. It stops taking work, lets the running job finish, closes its
 * connections and exits 0 within its grace period, leaving no active or stalled BullMQ job behind (the
 * call's activation is recorded: no orphan, no second call). Another process then finishes the work.
 */
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFactoryLine } from '../../../src/cli/demo/factory-line.js';
import { QUEUE } from '../../../src/redis/queue-names.js';
import { FleetCluster } from '../../chaos/support/fleet-cluster.js';

const SITE = { id: 'term-a', maxBatchSize: 100, batchWindowMs: 300 };
const DEVICES = 300;
const GRACE_MS = 20_000;

describe('graceful shutdown on SIGTERM', () => {
  let cluster: FleetCluster;

  beforeAll(async () => {
    cluster = await FleetCluster.start({
      sites: [SITE],
      groups: [['api', 'intake', 'ack', 'reconcile']],
      // a long call, so the signal arrives while it is in flight
      faults: { 'ssm.CreateActivation': { latencyMs: 2_000 } },
      env: { FLEET_RECONCILE_INTERVAL_MS: '200' },
    });
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('finishes the job in flight, exits 0 in time, leaves no job behind; another process takes over', async () => {
    const worker = await cluster.addServe(['activation', 'delivery'], ['--grace-ms', String(GRACE_MS)]);
    const queues = Object.values(QUEUE).map((name) => new Queue(name, { connection: cluster.redis, prefix: cluster.keys.queuePrefix }));
    const activationQueue = queues.find((q) => q.name === QUEUE.activation)!;
    try {
      await runFactoryLine({ apiUrl: cluster.apiUrl!, siteId: SITE.id, devices: DEVICES, chunk: 100 });
      const deadline = Date.now() + 30_000;
      while (((await activationQueue.getJobCounts('active')).active ?? 0) === 0) {
        if (Date.now() > deadline) throw new Error('no activation job ever ran');
        await new Promise((r) => setTimeout(r, 20));
      }
      const calls = async (): Promise<number> => (await cluster.emulatorState()).operations['ssm.CreateActivation']?.calls ?? 0;
      // the call has reached the emulator (which takes 2 s to answer it)
      while ((await calls()) === 0) {
        if (Date.now() > deadline) throw new Error('no CreateActivation call ever reached the emulator');
        await new Promise((r) => setTimeout(r, 20));
      }
      const callsAtSignal = await calls();

      const exit = await worker.signal('SIGTERM', GRACE_MS + 5_000);
      expect(exit).toEqual({ code: 0, signal: null });

      for (const q of queues) expect(await q.getJobCounts('active')).toEqual({ active: 0 });
      // nothing for BullMQ's stalled-job check to find: every job it had ended or went back cleanly
      for (const q of queues) expect(await cluster.redis.scard(`${cluster.keys.queuePrefix}:${q.name}:stalled`)).toBe(0);
      const afterStop = await cluster.emulatorState();
      // each call in flight finished and its answer was recorded in Redis before the exit: every activation the
      // emulator holds is its batch's recorded one (none orphaned), and there are at least as many as calls at the signal
      expect(afterStop.activations.list.length).toBeGreaterThanOrEqual(callsAtSignal);
      for (const a of afterStop.activations.list) {
        const recorded = await cluster.redis.hget(cluster.keys.batch(a.defaultInstanceName.replace(/^fleet-/, '')), 'aid');
        expect(recorded, `activation ${a.activationId} of ${a.defaultInstanceName} recorded by its batch`).toBe(a.activationId);
      }

      const successor = await cluster.addServe(['activation', 'delivery']);
      const ids = Array.from({ length: DEVICES }, (_, n) => `${SITE.id}.SN-${String(n).padStart(7, '0')}`);
      const until = Date.now() + 60_000;
      for (;;) {
        const states = [...(await cluster.deviceStates(ids)).values()];
        if (states.every((d) => d.state === 'registered')) break;
        if (Date.now() > until) throw new Error(`not all registered: ${JSON.stringify(states.reduce<Record<string, number>>((m, d) => ({ ...m, [String(d.state)]: (m[String(d.state)] ?? 0) + 1 }), {}))}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      // the minimum: one activation per 100 devices, however the work was split between the two processes
      expect((await cluster.emulatorState()).activations.created).toBe(DEVICES / SITE.maxBatchSize);
      expect(successor.running).toBe(true);
    } finally {
      await Promise.all(queues.map((q) => q.close()));
    }
  });
});
