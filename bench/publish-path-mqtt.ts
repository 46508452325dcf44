/**
 * The publish-path bench's `mqtt` mode: MqttIotPublisher's CPU per retained publish of a credentials-sized
 * message, against the MQTT stand-in (bench/mqtt-stand-in.ts) in its own process, so only the orchestrator
 * side is counted — to set beside `signed` and `sdk` from the default mode.
 * `node --import tsx bench/publish-path.ts mqtt [callsPerRound] [rounds] [concurrency] [publishesPerSecondPerConnection]`
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { AwsClients } from '../src/adapters/aws-clients.js';
import { Metrics } from '../src/adapters/metrics.js';
import { MqttIotPublisher } from '../src/adapters/mqtt-iot-publisher.js';

export async function runMqttMode([perRound = 5_000, rounds = 3, concurrency = 64, perConnectionRate = 1_000_000]: number[], payload: string): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDBENCHMQTT', AWS_SECRET_ACCESS_KEY: 'bench-secret', AWS_REGION: 'us-east-1' };
  delete env.AWS_SESSION_TOKEN;
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./mqtt-stand-in.ts', import.meta.url).pathname], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const [endpoint] = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then((r) => [r.value as string]);
  Object.assign(process.env, env, { AWS_ENDPOINT_URL_IOT_DATA_PLANE: endpoint });
  delete process.env.AWS_SESSION_TOKEN;
  const clients = new AwsClients({ defaultRegion: 'us-east-1' });
  // by default no per-connection rate (CPU per publish at the most packing); AWS's 100/s as the 4th argument
  // spreads publishes over up to 100 connections (10,000/s), fewer per frame
  const publisher = new MqttIotPublisher(clients, new Metrics(), undefined, { maxConnections: 100, publishesPerSecondPerConnection: perConnectionRate });

  async function round(n: number): Promise<{ cpuMs: number; wallMs: number }> {
    let next = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) {
          const i = next++;
          await publisher.publishRetained(`bench/publish/site-${i % 10}/thing-${i}/activation`, payload, 3_600);
        }
      }),
    );
    const cpu = process.cpuUsage(cpu0);
    return { cpuMs: (cpu.user + cpu.system) / 1_000, wallMs: performance.now() - t0 };
  }

  // warm-up: connections open, JIT warm (a short one leaves the first round several times slower)
  await round(perRound);
  let cpuMs = 0;
  let wallMs = 0;
  for (let r = 0; r < rounds; r++) {
    const res = await round(perRound);
    cpuMs += res.cpuMs;
    wallMs += res.wallMs;
    console.log(`Publish round ${r + 1} mqtt   ${((res.cpuMs * 1_000) / perRound).toFixed(1).padStart(6)} µs CPU/call  ${Math.round(perRound / (res.wallMs / 1_000)).toLocaleString('en-US').padStart(7)} calls/s`);
  }
  const n = perRound * rounds;
  console.log(`\n${'operation'.padEnd(18)} ${'way'.padEnd(7)} ${'µs CPU per call'.padStart(18)} ${'calls/s'.padStart(9)}`);
  console.log(`${'Publish'.padEnd(18)} ${'mqtt'.padEnd(7)} ${((cpuMs * 1_000) / n).toFixed(1).padStart(18)} ${Math.round(n / (wallMs / 1_000)).toLocaleString('en-US').padStart(9)}`);
  publisher.close();
  clients.destroy();
  child.stdin.end();
  await new Promise((r) => child.once('exit', r));
}
