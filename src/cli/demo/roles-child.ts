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
  | { readonly type: 'ready' }
  | { readonly type: 'usage'; readonly rssBytes: number; readonly peakRssBytes: number; readonly cpuSeconds: number; readonly mqttAcks: AcksByResult }
  | { readonly type: 'failed'; readonly error: string };

const send = (m: RolesChildMessage): void => void process.send?.(m);
let app: App | undefined;
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 500);

async function start(m: RolesChildStart): Promise<void> {
  Object.assign(process.env, m.env);
  const { config } = demoConfig(m.input);
  const destination = m.logFile ? pino.destination({ dest: m.logFile, sync: false, append: true }) : pino.destination(2);
  app = await createApp(config, {
    roles: m.roles,
    logger: createLogger(config.logLevel, destination),
  });
  await app.start();
  send({ type: 'ready' });
}

process.on('message', (m: RolesChildStart | { type: 'usage' } | { type: 'stop' }) => {
  if (m.type === 'start') void start(m).catch((err: unknown) => send({ type: 'failed', error: err instanceof Error ? err.message : String(err) }));
  else if (m.type === 'usage') {
    const cpu = process.cpuUsage();
    const rss = process.memoryUsage.rss();
    peakRss = Math.max(peakRss, rss);
    const usage = { type: 'usage', rssBytes: rss, peakRssBytes: peakRss, cpuSeconds: (cpu.user + cpu.system) / 1e6 } as const;
    void (app ? mqttAcksReceived(app.metrics) : Promise.resolve({})).then((mqttAcks) => send({ ...usage, mqttAcks }));
  } else if (m.type === 'stop') void stop();
});
process.on('disconnect', () => void stop());

async function stop(): Promise<void> {
  clearInterval(sampler);
  await app?.stop().catch(() => undefined);
  process.exit(0);
}
