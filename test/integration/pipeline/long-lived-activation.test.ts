/**
 * An activation that outlives AWS IoT's cap on message expiry (604,800 s; here both the emulator and the
 * orchestrator use 2 s): the credentials are published with the cap as expiry and republished before it
 * lapses, so a device that comes online long after the cap still finds them retained. The control shows
 * the cap bites: a retained message nobody refreshes is gone.
 */
import { GetRetainedMessageCommand, IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app.js';
import { createLogger } from '../../../src/adapters/logger.js';
import { Metrics } from '../../../src/adapters/metrics.js';
import type { Config } from '../../../src/config.js';
import { renderTopic } from '../../../src/domain/topics.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { Keys } from '../../../src/redis/keys.js';
import { deleteMatching } from '../../../src/devtools/delete-keys.js';
import { MqttProbe } from '../emulator/mqtt-probe.js';
import { LogCapture } from './support/log-capture.js';
import { MOSQUITTO_URL, testConfig } from './support/test-config.js';

const CAP = 2;
let config: Config;
let emulator: RunningEmulator;
let app: App;
let data: IoTDataPlaneClient;

beforeAll(async () => {
  // a 1-hour activation: 1,800 times the cap
  config = testConfig({
    sites: [{ id: 'late-1', maxBatchSize: 10, activationTtlHours: 1 }],
    batchWindowMs: 100,
    // the ordinary redelivery to silent devices stays out of the way: only the refresh republishes
    pipeline: { redeliverAfterMs: 600_000 },
    // the SDK clients' pipeline run (every other one uses the default: per-device calls signed by us)
    perDeviceCalls: 'sdk',
  });
  emulator = await startEmulator({ mqttUrl: MOSQUITTO_URL, nodeQuota: 'unlimited', maxMessageExpirySeconds: CAP });
  Object.assign(process.env, emulator.env);
  data = new IoTDataPlaneClient({ maxAttempts: 1 });
  app = await createApp(config, {
    roles: ['intake', 'activation', 'delivery', 'reconcile'],
    logger: createLogger('info', new LogCapture()),
    metrics: new Metrics(),
    maxMessageExpirySeconds: CAP,
  });
  await app.start();
});

afterAll(async () => {
  await app?.stop();
  const topic = renderTopic(config.topics.credentials, { siteId: 'late-1', thingName: 'edge-late-0' });
  await data?.send(new PublishCommand({ topic, qos: 1, retain: true, payload: new Uint8Array() }));
  data?.destroy();
  await emulator?.close();
  await deleteMatching(config.redisUrl, new Keys(config.keyPrefix).everything);
});

describe('long-lived activations and AWS IoT’s 7-day cap', () => {
  it('a device that comes online after the cap still gets its credentials', async () => {
    await app.services.enroll([{ deviceId: 'late-0', siteId: 'late-1', thingName: 'edge-late-0', attributes: {}, reenroll: false }]);
    const topic = renderTopic(config.topics.credentials, { siteId: 'late-1', thingName: 'edge-late-0' });
    for (let i = 0; i < 200 && (await app.services.device('late-0'))?.state !== 'delivered'; i++) await new Promise((r) => setTimeout(r, 25));
    expect((await app.services.device('late-0'))?.state).toBe('delivered');

    // control: a message published with a 30-day expiry and never refreshed is gone after the cap
    const control = `${topic}-control`;
    await data.send(new PublishCommand({ topic: control, qos: 1, retain: true, messageExpiry: 30 * 86_400, payload: Buffer.from('{}') }));

    // the device is off for 3 caps
    await new Promise((r) => setTimeout(r, 3 * CAP * 1000));
    expect(await data.send(new GetRetainedMessageCommand({ topic: control })).then(() => 'retained', (e: Error) => e.name)).toBe('ResourceNotFoundException');

    const device = await MqttProbe.connect(MOSQUITTO_URL, 5);
    try {
      const retained = await device.subscribeAndSettle(topic, `${topic}-marker`);
      expect(retained).toHaveLength(1);
      const message = JSON.parse(retained[0]!.payload) as { deviceId: string; activationId: string; expiresAt: string };
      expect(message.deviceId).toBe('late-0');
      expect(message.activationId).toBe((await app.services.device('late-0'))?.activationId);
      // the message tells the activation's own expiry; MQTT expiry is within the cap
      expect(Date.parse(message.expiresAt) - Date.now()).toBeGreaterThan(3_000_000);
      expect(retained[0]!.expiry).toBeLessThanOrEqual(CAP);
    } finally {
      await device.close();
    }
    // one publish at delivery, then refreshes (about one per cap / 2)
    expect(emulator.state.operations['iotdata.Publish']!.calls).toBeGreaterThanOrEqual(4);
  }, 30_000);
});
