/**
 * The device simulator against Mosquitto and the emulator: credentials published through the emulator's
 * IoT data plane (unmodified SDK client), registrations through its registration route, acks on the broker.
 */
import '../../../src/node-warnings.js';
import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { CreateActivationCommand, DescribeInstanceInformationCommand, SSMClient, paginateDescribeInstanceInformation } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator, DeviceSimulatorProcess, type SimulatedDelivery } from '../../../src/device/simulator/index.js';
import { BehaviourPicker } from '../../../src/device/simulator/device-behaviour.js';
import { DEFAULT_CREDENTIALS, startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { MQTT_URL, TopicRecorder, uniqueId, waitFor } from './helpers.js';

const REGION = 'us-east-1';
const PER_SITE = 100;
const fractions = { silentFraction: 0.05, neverAckFraction: 0.1, failAckFraction: 0.1 };

let emulator: RunningEmulator;
let ssm: SSMClient;
let iotData: IoTDataPlaneClient;
const retainedTopics: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ mqttUrl: MQTT_URL, nodeQuota: 'unlimited' });
  const clientConfig = { endpoint: emulator.url, region: REGION, credentials: { ...DEFAULT_CREDENTIALS } };
  ssm = new SSMClient(clientConfig);
  iotData = new IoTDataPlaneClient(clientConfig);
});

afterAll(async () => {
  await Promise.all(retainedTopics.map((topic) => iotData.send(new PublishCommand({ topic, qos: 1, retain: true, payload: new Uint8Array() }))));
  ssm.destroy();
  iotData.destroy();
  await emulator.close();
});

interface Delivered {
  site: string;
  thing: string;
  topic: string;
  activationId: string;
  message: Uint8Array;
}

async function deliverSite(site: string): Promise<Delivered[]> {
  const activation = await ssm.send(
    new CreateActivationCommand({ IamRole: 'SSMServiceRole', RegistrationLimit: PER_SITE, DefaultInstanceName: `fleet-${site}` }),
  );
  const activationId = activation.ActivationId ?? '';
  const devices = Array.from({ length: PER_SITE }, (_, i) => {
    const thing = `edge-${site}-${i}`;
    const topic = `fleet/enroll/${site}/${thing}/activation`;
    const body = {
      v: 1,
      deliveryId: `${site}.${i}.n`,
      deviceId: `SN-${i}`,
      siteId: site,
      batchId: site,
      activationId,
      activationCode: activation.ActivationCode,
      region: REGION,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    };
    return { site, thing, topic, activationId, message: new TextEncoder().encode(JSON.stringify(body)) };
  });
  retainedTopics.push(...devices.map((d) => d.topic));
  await Promise.all(devices.map((d) => iotData.send(new PublishCommand({ topic: d.topic, qos: 1, retain: true, payload: d.message }))));
  return devices;
}

async function nodeIds(activationId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const pages = paginateDescribeInstanceInformation({ client: ssm }, { Filters: [{ Key: 'ActivationIds', Values: [activationId] }] });
  for await (const page of pages) for (const n of page.InstanceInformationList ?? []) ids.add(n.InstanceId ?? '');
  return ids;
}

describe('DeviceSimulator', () => {
  it('registers and acks every device on its own topic, misbehaving as asked, and does not register a redelivery twice', async () => {
    const sites = [uniqueId('sim-a'), uniqueId('sim-b'), uniqueId('sim-c')];
    const acks = await TopicRecorder.start('fleet/enroll/+/+/ack');
    const simulator = new DeviceSimulator({ mqttUrl: MQTT_URL, emulatorUrl: emulator.url, sites, connections: 2, concurrency: 8, ...fractions });
    const received: SimulatedDelivery[] = [];
    simulator.on('credentials', (d) => received.push(d));
    try {
      // half the sites have retained credentials waiting before the simulator connects, half get them live
      const early = await deliverSite(sites[0] ?? '');
      await simulator.start();
      const late = (await Promise.all(sites.slice(1).map(deliverSite))).flat();
      const devices = [...early, ...late];

      const picker = new BehaviourPicker(fractions);
      const expected = { normal: 0, silent: 0, 'never-ack': 0, 'fail-ack': 0 };
      for (const d of devices) expected[picker.pick(d.thing)]++;
      // every kind of device is there, and most are well-behaved
      expect(Math.min(...Object.values(expected))).toBeGreaterThan(0);
      expect(expected.normal).toBeGreaterThan(devices.length / 2);

      const mine = () => acks.messages.filter((m) => sites.some((s) => m.topic.startsWith(`fleet/enroll/${s}/`)));
      await waitFor('every ack', () => mine().length === expected.normal + expected['fail-ack']);
      await waitFor('every registration', () => simulator.counters.registered === expected.normal + expected['never-ack']);
      // the counters move once the broker confirmed the ack (PUBACK), which may come after a subscriber saw it
      await waitFor('every ack confirmed', () => simulator.counters.ackedRegistered + simulator.counters.ackedFailed === mine().length);

      expect(received).toHaveLength(devices.length);
      expect(simulator.counters).toMatchObject({
        credentials: devices.length,
        registered: expected.normal + expected['never-ack'],
        ackedRegistered: expected.normal,
        ackedFailed: expected['fail-ack'],
        failures: 0,
        redeliveries: 0,
      });

      // every registered ack names a node the emulator has for that device's activation, each node once
      const nodesByActivation = new Map<string, Set<string>>();
      for (const d of devices) nodesByActivation.set(d.activationId, await nodeIds(d.activationId));
      const totalNodes = [...nodesByActivation.values()].reduce((n, s) => n + s.size, 0);
      expect(totalNodes).toBe(expected.normal + expected['never-ack']);
      const byTopic = new Map(devices.map((d) => [d.topic.replace(/activation$/, 'ack'), d]));
      const ackedNodes = new Set<string>();
      for (const ack of mine()) {
        const device = byTopic.get(ack.topic);
        expect(device).toBeDefined();
        const behaviour = picker.pick(device?.thing ?? '');
        if (ack.body?.status === 'registered') {
          expect(behaviour).toBe('normal');
          expect(nodesByActivation.get(device?.activationId ?? '')?.has(String(ack.body.managedNodeId))).toBe(true);
          ackedNodes.add(String(ack.body.managedNodeId));
        } else {
          expect(behaviour).toBe('fail-ack');
          expect(ack.body).toMatchObject({ status: 'failed', error: 'simulated device failure' });
        }
      }
      expect(ackedNodes.size).toBe(expected.normal);

      // redelivery of a registered device's message: ack again, no second registration
      const again = devices.find((d) => picker.pick(d.thing) === 'normal');
      if (!again) throw new Error('no well-behaved device');
      const acksBefore = mine().length;
      await iotData.send(new PublishCommand({ topic: again.topic, qos: 1, retain: true, payload: again.message }));
      await waitFor('the re-sent ack', () => mine().length === acksBefore + 1);
      expect(mine().at(-1)?.body).toEqual(mine().find((m) => m.topic === again.topic.replace(/activation$/, 'ack'))?.body);
      expect(simulator.counters.redeliveries).toBe(1);
      expect(simulator.counters.registered).toBe(expected.normal + expected['never-ack']);
      // counted as a repeat once the broker confirmed it, not as another first ack
      await waitFor('the repeat counted', () => simulator.counters.ackRepeats === 1);
      expect(simulator.counters.ackedRegistered).toBe(expected.normal);
      expect((await nodeIds(again.activationId)).size).toBe(nodesByActivation.get(again.activationId)?.size);

      // the orchestrator clears the credentials: the simulator forgets the delivery
      const inFlight = simulator.inFlight;
      await iotData.send(new PublishCommand({ topic: again.topic, qos: 1, retain: true, payload: new Uint8Array() }));
      await waitFor('the clear', () => simulator.counters.cleared === 1);
      expect(simulator.inFlight).toBe(inFlight - 1);
    } finally {
      await simulator.stop();
      await acks.close();
    }
  });

  it('acks failed with the emulator’s reason when the code is wrong, never sending the code in the ack', async () => {
    const site = uniqueId('sim-bad');
    const acks = await TopicRecorder.start(`fleet/enroll/${site}/+/ack`);
    const simulator = new DeviceSimulator({ mqttUrl: MQTT_URL, emulatorUrl: emulator.url, sites: [site] });
    const failures: string[] = [];
    simulator.on('failure', (f) => failures.push(f.error));
    try {
      await simulator.start();
      const activation = await ssm.send(new CreateActivationCommand({ IamRole: 'SSMServiceRole', RegistrationLimit: 1 }));
      const wrongCode = 'Wrong-Activation-Code-0000';
      const topic = `fleet/enroll/${site}/edge-1/activation`;
      retainedTopics.push(topic);
      const body = {
        v: 1, deliveryId: 'd1', deviceId: 'SN-1', siteId: site, batchId: 'b', activationId: activation.ActivationId,
        activationCode: wrongCode, region: REGION, expiresAt: new Date(Date.now() + 60_000).toISOString(),
      };
      await iotData.send(new PublishCommand({ topic, qos: 1, retain: true, payload: new TextEncoder().encode(JSON.stringify(body)) }));
      const ack = await waitFor('the failed ack', () => acks.messages[0]);
      expect(ack.body).toMatchObject({ status: 'failed', deliveryId: 'd1', activationId: activation.ActivationId });
      expect(String(ack.body?.error)).toMatch(/^registration refused: InvalidActivationCode/);
      expect(JSON.stringify(ack.body) + failures.join()).not.toContain(wrongCode);
      expect(simulator.counters).toMatchObject({ registered: 0, ackedFailed: 1, failures: 1 });
      const nodes = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'ActivationIds', Values: [activation.ActivationId ?? ''] }] }));
      expect(nodes.InstanceInformationList ?? []).toEqual([]);
    } finally {
      await simulator.stop();
      await acks.close();
    }
  });

  it('runs the same devices in a child process, reporting events and counters to the parent', async () => {
    const sites = [uniqueId('sim-proc')];
    const acks = await TopicRecorder.start(`fleet/enroll/${sites[0]}/+/ack`);
    const simulator = new DeviceSimulatorProcess({ mqttUrl: MQTT_URL, emulatorUrl: emulator.url, sites, failAckFraction: 0.2 });
    const registered: string[] = [];
    const acked: string[] = [];
    simulator.on('registered', (d) => registered.push(d.managedNodeId));
    simulator.on('acked', (d) => acked.push(`${d.thingName}:${d.status}`));
    let exit: number | null | undefined;
    simulator.on('exit', (code) => (exit = code));
    try {
      await simulator.start();
      const devices = await deliverSite(sites[0] ?? '');
      const picker = new BehaviourPicker({ failAckFraction: 0.2 });
      const normal = devices.filter((d) => picker.pick(d.thing) === 'normal').length;
      await waitFor('every ack event in the parent', () => acked.length === PER_SITE);
      expect(simulator.counters).toMatchObject({ credentials: PER_SITE, registered: normal, ackedRegistered: normal, ackedFailed: PER_SITE - normal });
      expect(new Set(registered)).toEqual(await nodeIds(devices[0]?.activationId ?? ''));
      expect(acks.messages).toHaveLength(PER_SITE);
    } finally {
      await simulator.stop();
      await acks.close();
    }
    expect(exit).toBe(0);
  });
});
