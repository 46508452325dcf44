/**
 * The short chaos run (the long one is `npm run chaos`): the roles run as separate `fleet-enroll serve`
 * processes; the activation process is SIGKILLed while a CreateActivation call is in flight (its job
 * active in BullMQ), then the delivery process while credentials are being published; both are restarted.
 * No device is lost: every one ends registered, no batch ever has two live activations, none is left live.
 */
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE } from '../../../src/redis/queue-names.js';
import { runFactoryLine } from '../../../src/cli/demo/factory-line.js';
import { FleetCluster } from '../../chaos/support/fleet-cluster.js';
import type { FleetProcess } from '../../chaos/support/fleet-process.js';
import { checkInvariants } from '../../chaos/support/invariant-report.js';

const SITES = [
  { id: 'kill-a', maxBatchSize: 100 },
  { id: 'kill-b', maxBatchSize: 60 },
];
const PER_SITE = 240;

async function until(what: string, done: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('chaos (short): SIGKILL of worker processes mid-batch', () => {
  let cluster: FleetCluster;
  let activation: FleetProcess;
  let delivery: FleetProcess;

  beforeAll(async () => {
    cluster = await FleetCluster.start({
      sites: SITES.map((s) => ({ ...s, batchWindowMs: 300 })),
      groups: [['api', 'intake', 'ack', 'reconcile'], ['activation'], ['delivery']],
      // slow enough that a kill lands inside the call or the publishing
      faults: { 'ssm.CreateActivation': { latencyMs: 800 }, 'iotdata.Publish': { latencyMs: 15 } },
      env: { FLEET_RECONCILE_INTERVAL_MS: '200', FLEET_RETRY_BASE_MS: '50', FLEET_RETRY_MAX_MS: '500', FLEET_IOT_PUBLISH_RPS: '2000' },
      logLevel: 'debug',
    });
    activation = cluster.processes.find((p) => p.name.startsWith('activation'))!;
    delivery = cluster.processes.find((p) => p.name.startsWith('delivery'))!;
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop(process.env.FLEET_KEEP_CHAOS_FILES === "1");
  });

  it('loses no device and leaves no orphan activation', async () => {
    const queue = (name: string): Queue => new Queue(name, { connection: cluster.redis, prefix: cluster.keys.queuePrefix });
    const activationQueue = queue(QUEUE.activation);
    const deliveryQueue = queue(QUEUE.delivery);
    try {
      const posted = await Promise.all(SITES.map((s) => runFactoryLine({ apiUrl: cluster.apiUrl!, siteId: s.id, devices: PER_SITE, chunk: 80 })));
      expect(posted.reduce((n, r) => n + r.accepted, 0)).toBe(SITES.length * PER_SITE);

      // kill 1: the activation process with a CreateActivation call in flight
      // the emulator has received a CreateActivation it has not answered yet: the call is in flight
      const inFlight = async (): Promise<number> => {
        const s = await cluster.emulatorState();
        const c = s.operations['ssm.CreateActivation'];
        return c ? c.calls - c.throttled - c.failed - c.rejected - s.activations.created : 0;
      };
      await until('a CreateActivation call in flight', async () => (await inFlight()) > 0, 30_000);
      await activation.kill();
      // the emulator still finishes that call: an activation whose answer nobody receives
      await until('the call answered into the void', async () => (await inFlight()) === 0, 10_000);
      await activation.start();

      // kill 2: the delivery process while credentials are going out
      await until('a delivery job in progress', async () => ((await deliveryQueue.getJobCounts('active')).active ?? 0) > 0, 60_000);
      await delivery.kill();
      await delivery.start();

      const ids = SITES.flatMap((s) => Array.from({ length: PER_SITE }, (_, n) => `${s.id}.SN-${String(n).padStart(7, '0')}`));
      await until(
        'every device registered',
        async () => [...(await cluster.deviceStates(ids)).values()].every((d) => d.state === 'registered'),
        75_000,
      );
      await until('spent activations deleted', async () => (await cluster.emulatorState()).activations.live === 0, 15_000);

      const report = await checkInvariants(cluster, ids, []);
      expect(report.lost).toEqual([]);
      expect(report.byState).toEqual({ registered: ids.length });
      expect(report.twoLive).toEqual([]);
      expect(report.liveActivationsLeft).toBe(0);
      // the killed call's activation was an orphan, found and deleted: more created than the minimum, none left
      const minimum = SITES.reduce((n, s) => n + Math.ceil(PER_SITE / s.maxBatchSize), 0);
      expect((await cluster.emulatorState()).activations.created).toBeGreaterThan(minimum);
      expect(report.codesIssued).toBe((await cluster.emulatorState()).activations.created);
      expect(report.codeLeaks).toEqual([]);
      expect(activation.starts).toBe(2);
      expect(delivery.starts).toBe(2);
      for (const q of [activationQueue, deliveryQueue]) expect(await q.getJobCounts('active', 'waiting', 'delayed')).toEqual({ active: 0, waiting: 0, delayed: 0 });
    } finally {
      await activationQueue.close();
      await deliveryQueue.close();
    }
  });
});
