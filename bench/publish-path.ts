/**
 * Micro-bench of the per-device publish path: the same retained Publish of a credentials-sized message
 * through the SDK publisher (IoTDataPlaneClient + PublishCommand) and through the signed publisher (the
 * SDK's SigV4 signer, a plain keep-alive request), against the emulator in its own process (embedded
 * broker), in alternating rounds. Reports this process's CPU per publish and publishes per second.
 * `node --import tsx bench/publish-path.ts [publishesPerRound] [rounds] [concurrency]`
 */
import { AwsClients } from '../src/adapters/aws-clients.js';
import { SdkIotPublisher, type IotPublisher } from '../src/adapters/iot-publisher.js';
import { Metrics } from '../src/adapters/metrics.js';
import { SignedIotPublisher } from '../src/adapters/signed-iot-publisher.js';
import { startEmulatorLink } from '../src/cli/demo/emulator-link.js';

const [perRound = 5_000, rounds = 3, concurrency = 64] = process.argv.slice(2).map(Number);
const emulator = await startEmulatorLink({ child: true, faults: {} });
Object.assign(process.env, emulator.env);
const clients = new AwsClients({ defaultRegion: emulator.env.AWS_REGION ?? 'us-east-1' });
const metrics = new Metrics();
const publishers: Record<string, IotPublisher> = { sdk: new SdkIotPublisher(clients, metrics), signed: new SignedIotPublisher(clients, metrics) };
const payload = JSON.stringify({ v: 1, activationId: '11111111-2222-3333-4444-555555555555', activationCode: 'x'.repeat(20), region: 'us-east-1', deliveryId: 'b-site-1-000001.17.abcdef0123456789', expiresAt: '2026-12-02T00:00:00Z', mac: 'm'.repeat(43) });

async function round(name: string, n: number): Promise<{ cpuMs: number; wallMs: number }> {
  const p = publishers[name]!;
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        await p.publishRetained(`bench/publish/site-${i % 10}/thing-${i}/activation`, payload, 3_600);
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1_000, wallMs: performance.now() - t0 };
}

// warm-up: endpoints resolved, sockets open, JIT warm
for (const name of Object.keys(publishers)) await round(name, 500);
const totals: Record<string, { cpuMs: number; wallMs: number; n: number }> = {};
for (let r = 0; r < rounds; r++) {
  for (const name of r % 2 === 0 ? ['sdk', 'signed'] : ['signed', 'sdk']) {
    const res = await round(name, perRound);
    const t = (totals[name] ??= { cpuMs: 0, wallMs: 0, n: 0 });
    t.cpuMs += res.cpuMs;
    t.wallMs += res.wallMs;
    t.n += perRound;
    console.log(`round ${r + 1} ${name.padEnd(6)} ${(res.cpuMs * 1_000 / perRound).toFixed(0).padStart(5)} µs CPU/publish  ${Math.round(perRound / (res.wallMs / 1_000)).toLocaleString('en-US').padStart(7)} publishes/s`);
  }
}
console.log('\npublisher   µs CPU per publish (this process)   publishes/s');
for (const [name, t] of Object.entries(totals)) {
  console.log(`${name.padEnd(10)}  ${(t.cpuMs * 1_000 / t.n).toFixed(0).padStart(33)}   ${Math.round(t.n / (t.wallMs / 1_000)).toLocaleString('en-US').padStart(11)}`);
}
for (const p of Object.values(publishers)) p.close();
clients.destroy();
await emulator.close();
