/**
 * Entry point of a child process running some of the orchestrator's roles for a demo or benchmark run
 * (forked by RolesProcess), so that the roles of one run can use more than one core, as `serve --roles`
 * processes would. Answers `ready`, `usage` (RSS, CPU, acks taken from MQTT) and ends on `stop`.
 */
import { pino } from 'pino';
import { createApp, type App, type Role } from '../../app.js';
import { createLogger } from '../../adapters/logger.js';
import { demoConfig, type DemoConfigInput } from './demo-config.js';
import { mqttAcksReceived, type AcksByResult } from './mqtt-acks-received.js';

export interface RolesChildStart {
  readonly type: 'start';
  readonly input: DemoConfigInput;
  readonly roles: readonly Role[];
  /** AWS endpoint and credential variables for the SDK (the emulator's) */
  readonly env: Readonly<Record<string, string>>;
  readonly logFile?: string;
}

export type RolesChildMessage =
  | { readonly type: 'ready'; readonly url: string | undefined }
  | {
      readonly type: 'usage';
      readonly rssBytes: number;
      readonly peakRssBytes: number;
      /** process.memoryUsage() at the sample with the highest RSS: where the memory was (V8 heap, buffers) */
      readonly atPeak: NodeJS.MemoryUsage;
      readonly cpuSeconds: number;
      readonly mqttAcks: AcksByResult;
    }
  | { readonly type: 'failed'; readonly error: string };

const send = (m: RolesChildMessage): void => void process.send?.(m);
let app: App | undefined;
let atPeak: NodeJS.MemoryUsage = process.memoryUsage();
const sampleMemory = (): void => {
  const m = process.memoryUsage();
  if (m.rss > atPeak.rss) atPeak = m;
};
const sampler = setInterval(sampleMemory, 500);

async function start(m: RolesChildStart): Promise<void> {
  Object.assign(process.env, m.env);
  const { config } = demoConfig(m.input);
  const destination = m.logFile ? pino.destination({ dest: m.logFile, sync: false, append: true }) : pino.destination(2);
  app = await createApp(config, {
    roles: m.roles,
    logger: createLogger(config.logLevel, destination),
    // the api role on a free loopback port: the parent posts to the URL this process answers with
    ...(m.roles.includes('api') ? { listen: { host: '127.0.0.1', port: 0 } } : {}),
  });
  await app.start();
  send({ type: 'ready', url: app.url });
}

process.on('message', (m: RolesChildStart | { type: 'usage' } | { type: 'stop' }) => {
  if (m.type === 'start') void start(m).catch((err: unknown) => send({ type: 'failed', error: err instanceof Error ? err.message : String(err) }));
  else if (m.type === 'usage') {
    const cpu = process.cpuUsage();
    sampleMemory();
    const usage = { type: 'usage', rssBytes: process.memoryUsage.rss(), peakRssBytes: atPeak.rss, atPeak, cpuSeconds: (cpu.user + cpu.system) / 1e6 } as const;
    void (app ? mqttAcksReceived(app.metrics) : Promise.resolve({})).then((mqttAcks) => send({ ...usage, mqttAcks }));
  } else if (m.type === 'stop') void stop();
});
process.on('disconnect', () => void stop());

async function stop(): Promise<void> {
  clearInterval(sampler);
  await app?.stop().catch(() => undefined);
  process.exit(0);
}
