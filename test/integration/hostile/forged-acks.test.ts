/**
 * Acks cannot be forged without the device's own message, tried as an attacker would, against the real
 * pipeline (real Redis, the emulator over HTTP, Mosquitto). The test plays the devices of one site itself
 * (the simulator serves none of them): device 0 registers for real, and its credentials message is all the
 * attacker has. Acks derived from it for the batch-mates (every index, its node, over POST /v1/acks with a
 * line token and over MQTT) change nothing; an ack claiming a node another device holds changes nothing;
 * a forged or wrong-node ack sent before a device's true ack does not delay the true one; each device
 * ends registered with its own node, tagged as itself.
 */
import { createHash } from 'node:crypto';
import { ListTagsForResourceCommand, SSMClient } from '@aws-sdk/client-ssm';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../../src/app.js';
import type { AckMessage, CredentialsMessage } from '../../../src/domain/messages.js';
import type { OnboardingEvent } from '../../../src/domain/onboarding-event.js';
import { renderTopic } from '../../../src/domain/topics.js';
import { PipelineHarness } from '../pipeline/support/pipeline-harness.js';
import { MOSQUITTO_URL } from '../pipeline/support/test-config.js';

const SITE = 'forge-a';
const LINE = 'forge-line-4c2e8a0b6d1f';
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

function ackCount(metrics: string, source: string, result: string): number {
  return Number(new RegExp(`fleet_acks_total\\{source="${source}",result="${result}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
}

describe('hostile acks: forged from a batch-mate’s message, or claiming another device’s node', () => {
  let h: PipelineHarness;
  let events: OnboardingEvent[];
  let messages: CredentialsMessage[];

  const ackOverHttp = async (ack: AckMessage, i: number): Promise<string> => {
    const res = await fetch(`${h.app.url}/v1/acks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${LINE}` },
      body: JSON.stringify({ ...ack, siteId: SITE, thingName: events[i]!.thingName }),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { result: string }).result;
  };
  const register = async (m: CredentialsMessage): Promise<string> => {
    const res = await fetch(`${h.emulator.url}/emulator/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ activationId: m.activationId, activationCode: m.activationCode, hostname: m.deviceId }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { managedNodeId: string }).managedNodeId;
  };
  const registered = (m: CredentialsMessage, managedNodeId: string): AckMessage => ({
    v: 1,
    deliveryId: m.deliveryId,
    activationId: m.activationId,
    status: 'registered',
    managedNodeId,
  });
  const state = async (i: number) => (await h.app.services.device(events[i]!.deviceId))!;
  const record = (i: number): Promise<Record<string, string>> => h.deviceRecord(events[i]!.deviceId);

  beforeAll(async () => {
    h = await PipelineHarness.start({
      sites: [{ id: SITE, maxBatchSize: 5 }, { id: 'forge-sim', maxBatchSize: 5 }],
      roles: ROLES,
      // the simulator serves another site only: this one's devices are played by the test
      simulatorSites: ['forge-sim'],
      apiTokens: [{ name: 'line', sha256: sha(LINE), role: 'line', sites: [SITE] }],
    });
    events = h.events(SITE, 5);
    await h.enroll(events);
    await h.waitFor(() => new Set(h.observer.received.map((r) => r.message.deviceId)).size === 5, 30_000, () => 'credentials not all published');
    messages = events.map((e) => h.observer.received.find((r) => r.message.deviceId === e.deviceId)!.message);
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('gives every device a delivery id no batch-mate can derive from its own', () => {
    const ids = messages.map((m) => m.deliveryId);
    expect(new Set(messages.map((m) => m.batchId)).size).toBe(1);
    // the parts a batch-mate sees (batch, index, nonce) are guessable; the last one is not
    const secrets = ids.map((id) => id.split('.').at(-1)!);
    expect(new Set(secrets).size).toBe(5);
    for (const s of secrets) expect(s).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('ignores acks derived from a batch-mate’s message and acks claiming another device’s node; the true acks win at once', async () => {
    const [m0, m1, m2, m3, m4] = messages as [CredentialsMessage, CredentialsMessage, CredentialsMessage, CredentialsMessage, CredentialsMessage];
    // device 0 registers for real and acks: the attacker holds its message and its node
    const node0 = await register(m0);
    expect(await ackOverHttp(registered(m0, node0), 0)).toBe('accepted');
    await h.waitFor(async () => (await state(0)).state === 'registered', 20_000, () => 'device 0 not registered');

    const before = await Promise.all([1, 2, 3, 4].map(record));
    const metricsBefore = await h.metrics.registry.metrics();
    // every delivery id a batch-mate could build from device 0's: its index swapped in, claiming node 0
    const derived = (target: CredentialsMessage, index: number, node = node0): AckMessage => ({
      ...registered(m0, node),
      deliveryId: m0.deliveryId.replace(/\.(\d+)\.([^.]+)\.([^.]+)$/, `.${index}.$2.$3`),
      activationId: target.activationId,
    });
    const forged: { ack: AckMessage; i: number }[] = [1, 2, 3, 4].map((i) => ({ ack: derived(messages[i]!, i), i }));
    // also with a node that does not exist, and with device 0's secret tag moved onto another index
    forged.push({ ack: derived(m1, 1, 'mi-0123456789abcdef0'), i: 1 });
    forged.push({ ack: { ...registered(m1, node0), deliveryId: `${m1.deliveryId.replace(/\.[^.]+$/, '')}.${m0.deliveryId.split('.').at(-1)!}` }, i: 1 });
    for (const { ack, i } of forged) expect(await ackOverHttp(ack, i)).toBe('stale');
    const client = await mqtt.connectAsync(MOSQUITTO_URL, { protocolVersion: 5 });
    try {
      for (const { ack, i } of forged) {
        await client.publishAsync(renderTopic(h.config.topics.ack, { siteId: SITE, thingName: events[i]!.thingName }), JSON.stringify(ack), { qos: 1 });
      }
    } finally {
      await client.endAsync();
    }
    await h.waitFor(async () => ackCount(await h.metrics.registry.metrics(), 'mqtt', 'forged') - ackCount(metricsBefore, 'mqtt', 'forged') === forged.length, 10_000, () => 'MQTT acks not all counted');
    const afterForged = await h.metrics.registry.metrics();
    expect(ackCount(afterForged, 'http', 'forged') - ackCount(metricsBefore, 'http', 'forged')).toBe(forged.length);
    expect(ackCount(afterForged, 'mqtt', 'accepted') + ackCount(afterForged, 'http', 'accepted')).toBe(ackCount(metricsBefore, 'mqtt', 'accepted') + ackCount(metricsBefore, 'http', 'accepted'));
    // not one field of a batch-mate changed
    expect(await Promise.all([1, 2, 3, 4].map(record))).toEqual(before);

    // device 2 itself (or anyone who read its message) claims device 0's node: refused, nothing changes
    expect(await ackOverHttp(registered(m2, node0), 2)).toBe('stale');
    expect(await record(2)).toEqual(before[1]);
    expect(ackCount(await h.metrics.registry.metrics(), 'http', 'claimed') - ackCount(metricsBefore, 'http', 'claimed')).toBe(1);

    // device 3's true message used first with a node SSM never saw: the true ack after it still wins
    expect(await ackOverHttp(registered(m3, 'mi-00000000000000bad'), 3)).toBe('accepted');
    await new Promise((r) => setTimeout(r, 400));
    expect((await state(3)).state).toBe('acked');

    // the real registrations and true acks: each one registers on the next reconcile passes, not at expiry
    const nodes = [node0];
    for (const [i, m] of [[1, m1], [2, m2], [3, m3], [4, m4]] as const) {
      const node = await register(m);
      nodes.push(node);
      expect(await ackOverHttp(registered(m, node), i)).toBe('accepted');
    }
    await h.waitFor(async () => (await h.allSettled([SITE], 5)), 20_000, () => h.describeCounts([SITE]));
    for (let i = 0; i < 5; i++) expect((await state(i)).managedNodeId).toBe(nodes[i]);
    const batch = await h.app.services.batch(m0.batchId);
    expect(batch).toMatchObject({ state: 'completed', strays: 0 });
    // each node tagged as its own device, node 0 never as another
    const ssm = new SSMClient({ region: h.config.awsRegion });
    try {
      const taggedAs = async (node: string): Promise<string | undefined> =>
        (await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: node }))).TagList?.find((t) => t.Key === 'fleet:device')?.Value;
      // tagging may follow registration on its own stage
      await h.waitFor(async () => (await Promise.all(nodes.map(taggedAs))).every((t) => t !== undefined), 10_000, () => 'nodes not tagged');
      expect(await Promise.all(nodes.map(taggedAs))).toEqual(events.map((e) => e.deviceId));
    } finally {
      ssm.destroy();
    }
  });
});
