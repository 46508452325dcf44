/**
 * Forged, stale and replayed acks (test/integration/hostile/forged-acks.test.ts has those a batch-mate derives), over POST /v1/acks and over MQTT, against a real pipeline whose devices
 * have all registered (one of them re-enrolled, so its first delivery is genuinely stale): they change no
 * device record at all, and each is counted in /metrics (fleet_acks_total by source and result).
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../../src/app.js';
import type { AckMessage } from '../../../src/domain/messages.js';
import { renderTopic } from '../../../src/domain/topics.js';
import { PipelineHarness } from '../pipeline/support/pipeline-harness.js';
import { MOSQUITTO_URL } from '../pipeline/support/test-config.js';

const SITE = 'ack-a';

function ackCount(metrics: string, source: string, result: string): number {
  return Number(new RegExp(`fleet_acks_total\\{source="${source}",result="${result}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
}

describe('hostile acks: forged, stale, replayed', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await PipelineHarness.start({ sites: [{ id: SITE, maxBatchSize: 20 }], roles: ROLES });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('change nothing and are counted, via HTTP and via MQTT', async () => {
    const events = h.events(SITE, 8);
    await h.enroll(events);
    await h.waitFor(() => h.allSettled([SITE], 8), 30_000, () => h.describeCounts([SITE]));
    // device 0 again: its first delivery becomes stale
    const old = h.observer.received.find((r) => r.message.deviceId === events[0]!.deviceId)!.message;
    await h.enroll([{ ...events[0]!, reenroll: true }]);
    await h.waitFor(async () => (await h.app.services.device(events[0]!.deviceId))?.batchId !== old.batchId && (await h.allSettled([SITE], 8)), 30_000, () => h.describeCounts([SITE]));

    const view = async (i: number) => (await h.app.services.device(events[i]!.deviceId))!;
    const current = async (i: number): Promise<AckMessage> => {
      const v = await view(i);
      const msg = [...h.observer.received].reverse().find((r) => r.message.deviceId === events[i]!.deviceId)!.message;
      return { v: 1, deliveryId: msg.deliveryId, activationId: msg.activationId, status: 'registered', managedNodeId: v.managedNodeId! };
    };
    const topicOf = (i: number) => ({ siteId: SITE, thingName: events[i]!.thingName });
    const snapshot = async (): Promise<Record<string, string>[]> => Promise.all(events.map((e) => h.deviceRecord(e.deviceId)));
    const before = await snapshot();
    expect(before.every((d) => d.st === 'registered')).toBe(true);

    const a1 = await current(1);
    const hostile: { ack: AckMessage; topic: { siteId: string; thingName: string }; kind: 'stale' | 'forged' }[] = [
      // replays of the acks that registered the devices
      { ack: await current(1), topic: topicOf(1), kind: 'stale' },
      { ack: await current(2), topic: topicOf(2), kind: 'stale' },
      // the re-enrolled device's first delivery, registered or failed
      { ack: { v: 1, deliveryId: old.deliveryId, activationId: old.activationId, status: 'registered', managedNodeId: 'mi-0123456789abcdef0' }, topic: topicOf(0), kind: 'stale' },
      { ack: { v: 1, deliveryId: old.deliveryId, activationId: old.activationId, status: 'failed', error: 'replayed' }, topic: topicOf(0), kind: 'stale' },
      // forged: another activation, another device's topic
      { ack: { ...a1, activationId: '00000000-0000-4000-8000-000000000000' }, topic: topicOf(1), kind: 'forged' },
      { ack: a1, topic: topicOf(3), kind: 'forged' },
      // a made-up nonce, or the secret tag, changed or dropped
      { ack: { ...a1, deliveryId: a1.deliveryId.replace(/\.(\d+)\.([^.]+)\.([^.]+)$/, '.$1.forgednonce.$3') }, topic: topicOf(1), kind: 'forged' },
      { ack: { ...a1, deliveryId: a1.deliveryId.replace(/\.[^.]+$/, '.AAAAAAAAAAAAAAAAAAAAAA') }, topic: topicOf(1), kind: 'forged' },
      { ack: { ...a1, deliveryId: a1.deliveryId.replace(/\.[^.]+$/, '') }, topic: topicOf(1), kind: 'forged' },
      { ack: { ...a1, deliveryId: a1.deliveryId.replace(/\.(\d+)\.([^.]+)\.([^.]+)$/, '.999.$2.$3') }, topic: topicOf(1), kind: 'forged' },
      { ack: { ...a1, deliveryId: 'no-such-batch.0.x' }, topic: topicOf(1), kind: 'forged' },
    ];
    const metricsBefore = await h.metrics.registry.metrics();

    // over HTTP (as an AWS IoT rule forwards them, with the topic)
    for (const { ack, topic } of hostile) {
      const res = await fetch(`${h.app.url}/v1/acks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...ack, topic: renderTopic(h.config.topics.ack, topic) }),
      });
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ result: 'stale' });
    }
    // over MQTT, on the topics an attacker can publish to
    const client = await mqtt.connectAsync(MOSQUITTO_URL, { protocolVersion: 5 });
    try {
      for (const { ack, topic } of hostile) await client.publishAsync(renderTopic(h.config.topics.ack, topic), JSON.stringify(ack), { qos: 1 });
      await client.publishAsync(renderTopic(h.config.topics.ack, topicOf(1)), 'not json', { qos: 1 });
    } finally {
      await client.endAsync();
    }
    const mqttIgnored = (m: string): number => ['stale', 'forged', 'invalid'].reduce((n, r) => n + ackCount(m, 'mqtt', r) - ackCount(metricsBefore, 'mqtt', r), 0);
    await h.waitFor(async () => mqttIgnored(await h.metrics.registry.metrics()) === hostile.length + 1, 10_000, () => 'MQTT acks not all counted');

    const metricsAfter = await h.metrics.registry.metrics();
    const expected = { stale: hostile.filter((x) => x.kind === 'stale').length, forged: hostile.filter((x) => x.kind === 'forged').length };
    for (const source of ['http', 'mqtt']) {
      expect(ackCount(metricsAfter, source, 'stale') - ackCount(metricsBefore, source, 'stale')).toBe(expected.stale);
      expect(ackCount(metricsAfter, source, 'forged') - ackCount(metricsBefore, source, 'forged')).toBe(expected.forged);
      expect(ackCount(metricsAfter, source, 'accepted')).toBe(ackCount(metricsBefore, source, 'accepted'));
    }
    expect(ackCount(metricsAfter, 'mqtt', 'invalid') - ackCount(metricsBefore, 'mqtt', 'invalid')).toBe(1);
    // not one field of any device changed, and the API serves the same metrics (counted for operators)
    expect(await snapshot()).toEqual(before);
    expect(await (await fetch(`${h.app.url}/metrics`)).text()).toMatch(/fleet_acks_total\{source="mqtt",result="forged"\} [1-9]/);
  });
});
