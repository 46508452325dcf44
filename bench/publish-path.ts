/**
 * Micro-bench of the per-device AWS calls: the retained Publish of a credentials-sized message over MQTT 5 on
 * WebSocket (FLEET_PUBLISH_TRANSPORT=mqtt, the emulator's `/mqtt` with its 100/s per connection), through the
 * SDK client and as a signed HTTPS request (our SigV4 signer: FLEET_PER_DEVICE_CALLS); AddTagsToResource on a
 * managed node through the SDK and signed. Against the emulator in its own process (embedded broker), in
 * alternating rounds; reports this process's CPU per call and calls per second.
 * `node --import tsx bench/publish-path.ts [callsPerRound] [rounds] [concurrency]`
 * `node --import tsx bench/publish-path.ts mqtt [callsPerRound] [rounds] [concurrency] [per connection/s]`: the MQTT
 * publisher alone, against an MQTT stand-in of its own (bench/publish-path-mqtt.ts) whose per-connection rate can be lifted
 */
import { AwsClients } from '../src/adapters/aws-clients.js';
import { SdkIotPublisher, type IotPublisher } from '../src/adapters/iot-publisher.js';
import { Metrics } from '../src/adapters/metrics.js';
import { MqttIotPublisher } from '../src/adapters/mqtt-iot-publisher.js';
import { SignedIotPublisher } from '../src/adapters/signed-iot-publisher.js';
import { CreateActivationCommand } from '@aws-sdk/client-ssm';
import type { RateLimiter } from '../src/adapters/rate-limiter.js';
import { SignedSsmJson } from '../src/adapters/signed-ssm-json.js';
import { SdkSsmActivations } from '../src/adapters/ssm-activations.js';
import { startEmulatorLink } from '../src/cli/demo/emulator-link.js';

const payload = JSON.stringify({ v: 1, activationId: '11111111-2222-3333-4444-555555555555', activationCode: 'x'.repeat(20), region: 'us-east-1', deliveryId: 'b-site-1-000001.17.abcdef0123456789', expiresAt: '2026-12-02T00:00:00Z', mac: 'm'.repeat(43) });
if (process.argv[2] === 'mqtt') {
  const { runMqttMode } = await import('./publish-path-mqtt.js');
  await runMqttMode(process.argv.slice(3).map(Number), payload);
  process.exit(0);
}
const [perRound = 5_000, rounds = 3, concurrency = 64] = process.argv.slice(2).map(Number);
const emulator = await startEmulatorLink({ child: true, faults: {} });
Object.assign(process.env, emulator.env);
const clients = new AwsClients({ defaultRegion: emulator.env.AWS_REGION ?? 'us-east-1' });
const metrics = new Metrics();
const publishers: Record<string, IotPublisher> = {
  sdk: new SdkIotPublisher(clients, metrics),
  signed: new SignedIotPublisher(clients, metrics),
  mqtt: new MqttIotPublisher(clients, metrics),
};
const unlimited: RateLimiter = { take: async () => undefined, report: () => undefined };
const taggers = { sdk: new SdkSsmActivations(clients, unlimited, metrics), signed: new SdkSsmActivations(clients, unlimited, metrics, new SignedSsmJson(clients)) };
const region = emulator.env.AWS_REGION ?? 'us-east-1';
// one managed node to tag again and again
const activation = await clients.ssm(region).send(new CreateActivationCommand({ IamRole: 'SSMServiceRole', RegistrationLimit: 1, DefaultInstanceName: 'bench-node' }));
const registered = await fetch(`${emulator.url}/emulator/register`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ activationId: activation.ActivationId, activationCode: activation.ActivationCode }),
});
const { managedNodeId: node } = (await registered.json()) as { managedNodeId: string };

type Call = (i: number) => Promise<void>;
const calls: Record<string, Record<string, Call>> = {
  Publish: {
    sdk: (i) => publishers.sdk!.publishRetained(`bench/publish/site-${i % 10}/thing-${i}/activation`, payload, 3_600),
    signed: (i) => publishers.signed!.publishRetained(`bench/publish/site-${i % 10}/thing-${i}/activation`, payload, 3_600),
    mqtt: (i) => publishers.mqtt!.publishRetained(`bench/publish/site-${i % 10}/thing-${i}/activation`, payload, 3_600),
  },
  AddTagsToResource: {
    sdk: (i) => taggers.sdk.tagNode(region, node, { 'fleet:device': `SN-${i}`, 'fleet:thing': `edge-${i}` }),
    signed: (i) => taggers.signed.tagNode(region, node, { 'fleet:device': `SN-${i}`, 'fleet:thing': `edge-${i}` }),
  },
};

async function round(call: Call, n: number): Promise<{ cpuMs: number; wallMs: number }> {
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await call(next++);
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1_000, wallMs: performance.now() - t0 };
}

const summary: string[] = [];
for (const [operation, ways] of Object.entries(calls)) {
  // warm-up: endpoints resolved, sockets open, JIT warm
  for (const call of Object.values(ways)) await round(call, 500);
  const totals: Record<string, { cpuMs: number; wallMs: number; n: number }> = {};
  for (let r = 0; r < rounds; r++) {
    const order = Object.keys(ways);
    for (const way of r % 2 === 0 ? order : [...order].reverse()) {
      const res = await round(ways[way]!, perRound);
      const t = (totals[way] ??= { cpuMs: 0, wallMs: 0, n: 0 });
      t.cpuMs += res.cpuMs;
      t.wallMs += res.wallMs;
      t.n += perRound;
      console.log(`${operation} round ${r + 1} ${way.padEnd(6)} ${((res.cpuMs * 1_000) / perRound).toFixed(0).padStart(5)} µs CPU/call  ${Math.round(perRound / (res.wallMs / 1_000)).toLocaleString('en-US').padStart(7)} calls/s`);
    }
  }
  for (const [way, t] of Object.entries(totals)) {
    summary.push(`${operation.padEnd(18)} ${way.padEnd(7)} ${((t.cpuMs * 1_000) / t.n).toFixed(0).padStart(18)} ${Math.round(t.n / (t.wallMs / 1_000)).toLocaleString('en-US').padStart(9)}`);
  }
}
console.log(`\n${'operation'.padEnd(18)} ${'way'.padEnd(7)} ${'µs CPU per call'.padStart(18)} ${'calls/s'.padStart(9)}`);
for (const line of summary) console.log(line);
for (const p of Object.values(publishers)) p.close();
clients.destroy();
await emulator.close();
