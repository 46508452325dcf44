/**
 * DeliveryService with in-memory stores and publisher and an injected clock: what each device is sent, and —
 * when one device's publish fails while the others succeed — what is recorded, what the retry sends, that no
 * device is lost or sent twice, and that no secret is in the error or the logs.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AesGcmCodeCipher } from '../../../src/adapters/code-cipher.js';
import { HmacDeliverySigner } from '../../../src/adapters/delivery-signer.js';
import { Metrics } from '../../../src/adapters/metrics.js';
import { AwsCallError } from '../../../src/domain/errors.js';
import { DEFAULT_TOPICS, type CredentialsMessage } from '../../../src/domain/messages.js';
import { DeliveryService, IOT_PUBLISH_BUCKET } from '../../../src/services/delivery-service.js';
import { findSecrets } from '../../support/secret-search.js';
import { FakeBatchStore, FakeDeviceStore, FakePublisher, FleetMemory, RecordingLimiter } from './fakes-stores.js';

const BATCH = 'b-plant-1-1';
const CODE = 'Zq7xW2vB9nM4kL1pR8tY';
const EXPIRES_IN_MS = 24 * 3_600_000;
const topicOf = (deviceId: string): string => `fleet/enroll/plant-1/thing-${deviceId}/activation`;
const unavailable = (): AwsCallError => new AwsCallError('AWS_TRANSIENT', 'Publish', 'ServiceUnavailableException', 'Service Unavailable', 503);

function rig(deviceIds: readonly string[], concurrency?: number) {
  const clock = { now: 5_000_000 };
  const memory = new FleetMemory();
  const cipher = new AesGcmCodeCipher(Buffer.alloc(32, 9));
  memory.addActiveBatch(BATCH, deviceIds, { sealedCode: cipher.seal(CODE, BATCH), expiresAt: clock.now + EXPIRES_IN_MS });
  const batches = new FakeBatchStore(memory);
  const devices = new FakeDeviceStore(memory);
  const publisher = new FakePublisher();
  const limiter = new RecordingLimiter();
  const signer = new HmacDeliverySigner(Buffer.alloc(32, 7));
  const metrics = new Metrics();
  const logs: string[] = [];
  const service = new DeliveryService({
    batches,
    devices,
    publisher,
    cipher,
    signer,
    limiter,
    topics: DEFAULT_TOPICS,
    metrics,
    logger: pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) }),
    concurrency,
    clock: () => clock.now,
  });
  const messageTo = (deviceId: string): CredentialsMessage[] =>
    publisher.published.filter((p) => p.topic === topicOf(deviceId)).map((p) => JSON.parse(p.payload) as CredentialsMessage);
  return { clock, memory, devices, publisher, limiter, signer, metrics, logs, service, messageTo };
}

describe('DeliveryService', () => {
  it('sends each activated device its own credentials on its own topic, expiring with the activation, and records them delivered', async () => {
    const r = rig(['SN-1', 'SN-2', 'SN-3']);
    expect(await r.service.deliver(BATCH)).toBe(3);
    for (const [i, id] of ['SN-1', 'SN-2', 'SN-3'].entries()) {
      expect(r.messageTo(id)).toEqual([
        {
          v: 1,
          deliveryId: r.signer.sign(`${BATCH}.${i}.n1`),
          deviceId: id,
          siteId: 'plant-1',
          batchId: BATCH,
          activationId: `act-${BATCH}`,
          activationCode: CODE,
          region: 'us-east-1',
          expiresAt: new Date(r.clock.now + EXPIRES_IN_MS).toISOString(),
        },
      ]);
      expect(r.memory.device(id)).toMatchObject({ state: 'delivered', times: { delivered: r.clock.now } });
    }
    expect(r.publisher.published.map((p) => p.expirySeconds)).toEqual([86_400, 86_400, 86_400]);
    expect(r.memory.batch(BATCH).deliveredAt).toBe(r.clock.now);
    expect(r.limiter.taken.get(IOT_PUBLISH_BUCKET)).toBe(3);
    expect(await r.metrics.registry.metrics()).toContain('fleet_credentials_published_total 3');
  });

  it('sends nothing to a device that acked meanwhile or now belongs to another batch, nor for a batch that is not active', async () => {
    const r = rig(['SN-1', 'SN-2', 'SN-3']);
    r.memory.ack('SN-1', 'mi-00000000000000001', r.clock.now);
    r.memory.device('SN-2').batchId = 'b-plant-1-2';
    expect(await r.service.deliver(BATCH)).toBe(1);
    expect(r.publisher.attempts).toEqual([topicOf('SN-3')]);
    expect(r.memory.device('SN-1').state).toBe('acked');

    r.memory.batch(BATCH).state = 'expired';
    r.memory.device('SN-3').state = 'activated';
    expect(await r.service.deliver(BATCH)).toBe(0);
    expect(r.publisher.attempts).toHaveLength(1);
  });

  describe("one device's publish fails, the others succeed", () => {
    const failingSn2 = (r: ReturnType<typeof rig>, err: Error): void => {
      r.publisher.fail = (topic) => (topic === topicOf('SN-2') ? err : undefined);
    };

    it('records the others delivered, keeps the failed one activated, leaves the batch undelivered and throws the publish error', async () => {
      const r = rig(['SN-1', 'SN-2', 'SN-3']);
      const err = unavailable();
      failingSn2(r, err);
      await expect(r.service.deliver(BATCH)).rejects.toBe(err);
      expect(r.devices.deliveredCalls).toEqual([['SN-1', 'SN-3']]);
      expect(['SN-1', 'SN-2', 'SN-3'].map((id) => r.memory.device(id).state)).toEqual(['delivered', 'activated', 'delivered']);
      // not marked delivered: the job's retry (or reconcile's re-drive) sends the rest
      expect(r.memory.batch(BATCH).deliveredAt).toBeNull();
      expect(await r.metrics.registry.metrics()).toContain('fleet_credentials_published_total 2');
    });

    it('the retry sends only the failed device: in the end each device has exactly one message, none lost', async () => {
      const r = rig(['SN-1', 'SN-2', 'SN-3']);
      failingSn2(r, unavailable());
      await expect(r.service.deliver(BATCH)).rejects.toThrow('Service Unavailable');
      const firstDelivered = r.clock.now;
      r.clock.now += 1_000;
      r.publisher.fail = () => undefined;
      expect(await r.service.deliver(BATCH)).toBe(1);
      expect(r.publisher.attempts).toEqual([topicOf('SN-1'), topicOf('SN-2'), topicOf('SN-3'), topicOf('SN-2')]);
      for (const id of ['SN-1', 'SN-2', 'SN-3']) {
        expect(r.messageTo(id)).toHaveLength(1);
        expect(r.memory.device(id).state).toBe('delivered');
      }
      expect(r.memory.device('SN-1').times.delivered).toBe(firstDelivered);
      expect(r.memory.device('SN-2').times.delivered).toBe(r.clock.now);
      // the retry's expiry is what is left of the activation, not a fresh 24 h
      expect(r.publisher.published.at(-1)!.expirySeconds).toBe(86_399);
      expect(r.memory.batch(BATCH).deliveredAt).toBe(r.clock.now);
      expect(await r.metrics.registry.metrics()).toContain('fleet_credentials_published_total 3');
    });

    it('a failure in one chunk does not stop the later chunks', async () => {
      const r = rig(['SN-1', 'SN-2', 'SN-3', 'SN-4', 'SN-5'], 2);
      failingSn2(r, unavailable());
      await expect(r.service.deliver(BATCH)).rejects.toThrow('Service Unavailable');
      expect(r.devices.deliveredCalls).toEqual([['SN-1'], ['SN-3', 'SN-4'], ['SN-5']]);
      expect(r.limiter.taken.get(IOT_PUBLISH_BUCKET)).toBe(5);
      expect(['SN-1', 'SN-2', 'SN-3', 'SN-4', 'SN-5'].filter((id) => r.memory.device(id).state === 'activated')).toEqual(['SN-2']);
    });

    it("neither the error it throws nor its logs hold the activation code or a delivery id's MAC", async () => {
      const r = rig(['SN-1', 'SN-2', 'SN-3']);
      failingSn2(r, unavailable());
      const thrown = await r.service.deliver(BATCH).then(
        () => expect.fail('delivery should have failed'),
        (e: unknown) => e as Error,
      );
      r.publisher.fail = () => undefined;
      await r.service.deliver(BATCH);
      // the MAC is the secret part of a delivery id (the kept id before it is not)
      const secrets = [CODE, ...['SN-1', 'SN-2', 'SN-3'].map((id) => r.messageTo(id)[0]!.deliveryId.split('.').at(-1)!)];
      // the search must be able to find them: they are in what was published
      const inPublished = findSecrets(secrets, [{ where: 'published', text: JSON.stringify(r.publisher.published) }]);
      expect(new Set(inPublished.map((l) => l.code)).size).toBe(secrets.length);
      const places = [
        { where: 'message', text: thrown.message },
        { where: 'stack', text: thrown.stack ?? '' },
        { where: 'error json', text: JSON.stringify(thrown) },
        { where: 'logs', text: r.logs.join('\n') },
      ];
      expect(findSecrets(secrets, places)).toEqual([]);
      expect(r.logs.join('\n')).toContain('credentials published');
    });
  });

  it('a redelivery sends the same message again to devices delivered before the cut-off without an ack, moves only their delivery time and counts a round', async () => {
    const r = rig(['SN-1', 'SN-2', 'SN-3']);
    await r.service.deliver(BATCH);
    expect(r.memory.batch(BATCH).redeliveries).toBe(0);
    const firstAt = r.clock.now;
    r.memory.ack('SN-1', 'mi-00000000000000001', r.clock.now);
    r.clock.now += 60_000;
    r.memory.device('SN-3').times.delivered = r.clock.now - 1;
    expect(await r.service.deliver(BATCH, firstAt)).toBe(1);
    const sn2 = r.messageTo('SN-2');
    expect(sn2).toHaveLength(2);
    expect(sn2[1]).toEqual(sn2[0]);
    expect(r.messageTo('SN-1')).toHaveLength(1);
    expect(r.messageTo('SN-3')).toHaveLength(1);
    expect(r.memory.device('SN-2')).toMatchObject({ state: 'delivered', times: { delivered: r.clock.now } });
    // the batch counts the round: the next one waits twice as long (reconcile)
    expect(r.memory.batch(BATCH)).toMatchObject({ deliveredAt: r.clock.now, redeliveries: 1 });
  });
});
