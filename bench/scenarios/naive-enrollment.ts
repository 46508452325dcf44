/**
 * The naive way, as a user without fleet-enroll would script it: per device, CreateActivation with
 * RegistrationLimit 1 (retrying throttling with backoff), then publish its credentials to its topic.
 * Against the emulator in its own process, with the same simulated devices registering; done when every
 * device has registered. No tagging, verification or clean-up (which would only add calls).
 */
import { SSMClient, CreateActivationCommand } from '@aws-sdk/client-ssm';
import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeviceSimulatorProcess } from '../../src/device/simulator/index.js';
import { startEmulatorLink } from '../../src/cli/demo/emulator-link.js';
import { demoSites } from '../../src/cli/demo/demo-sites.js';
import { deviceIdFor } from '../../src/cli/demo/factory-line.js';
import { DEFAULT_TOPICS } from '../../src/domain/messages.js';
import { renderTopic } from '../../src/domain/topics.js';

export interface NaiveResult {
  readonly devices: number;
  readonly registered: number;
  readonly durationMs: number;
  readonly createActivationCalls: number;
  readonly throttled: number;
  readonly awsCalls: Record<string, number>;
}

const CONCURRENCY = 16;

export async function runNaive(devices: number, sites: number, tps: number): Promise<NaiveResult> {
  const emulator = await startEmulatorLink({ faults: { 'ssm.CreateActivation': { tps } }, child: true });
  const siteList = demoSites({ devices, sites, region: 'us-east-1' });
  const simulator = new DeviceSimulatorProcess({ mqttUrl: emulator.mqttUrl, emulatorUrl: emulator.url, sites: siteList.map((s) => s.site.id) });
  const credentials = { accessKeyId: emulator.env.AWS_ACCESS_KEY_ID!, secretAccessKey: emulator.env.AWS_SECRET_ACCESS_KEY! };
  const ssm = new SSMClient({ region: 'us-east-1', endpoint: emulator.url, credentials, maxAttempts: 1 });
  const iot = new IoTDataPlaneClient({ region: 'us-east-1', endpoint: emulator.url, credentials });
  try {
    await simulator.start();
    const work = siteList.flatMap((s) => Array.from({ length: s.devices }, (_, n) => ({ siteId: s.site.id, deviceId: deviceIdFor(s.site.id, n) })));
    const started = Date.now();
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < work.length) {
        const { siteId, deviceId } = work[next++]!;
        const activation = await createWithBackoff(ssm, deviceId, siteId);
        const thingName = `edge-${deviceId.replace(/\./g, '-')}`;
        const message = {
          v: 1,
          deliveryId: `naive-${deviceId}`,
          deviceId,
          siteId,
          batchId: `naive-${deviceId}`,
          activationId: activation.ActivationId!,
          activationCode: activation.ActivationCode!,
          region: 'us-east-1',
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        };
        await iot.send(new PublishCommand({ topic: renderTopic(DEFAULT_TOPICS.credentials, { siteId, thingName }), qos: 1, retain: true, payload: Buffer.from(JSON.stringify(message)) }));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    const deadline = Date.now() + 120_000;
    while (simulator.counters.registered < devices && Date.now() < deadline) await sleep(100);
    const durationMs = Date.now() - started;
    const state = await emulator.state();
    const ops = state.operations;
    return {
      devices,
      registered: simulator.counters.registered,
      durationMs,
      createActivationCalls: ops['ssm.CreateActivation']?.calls ?? 0,
      throttled: ops['ssm.CreateActivation']?.throttled ?? 0,
      awsCalls: Object.fromEntries(Object.entries(ops).map(([op, c]) => [op, c.calls])),
    };
  } finally {
    ssm.destroy();
    iot.destroy();
    await simulator.stop();
    await emulator.close();
  }
}

async function createWithBackoff(ssm: SSMClient, deviceId: string, siteId: string): Promise<{ ActivationId?: string; ActivationCode?: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await ssm.send(
        new CreateActivationCommand({
          IamRole: 'SSMServiceRole',
          RegistrationLimit: 1,
          DefaultInstanceName: deviceId.replace(/[^\p{L}\p{N}_.:/=+\-@]/gu, '-'),
          Tags: [{ Key: 'fleet:site', Value: siteId }],
        }),
      );
    } catch (err) {
      if ((err as Error).name !== 'ThrottlingException' || attempt > 50) throw err;
      // full jitter, as the AWS SDK would
      await sleep(Math.random() * Math.min(2000, 50 * 2 ** attempt));
    }
  }
}
