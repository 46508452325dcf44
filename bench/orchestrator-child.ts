/**
 * An orchestrator in a child process of its own (forked by OrchestratorProcess): `createApp` with the roles
 * asked for, on the bench's demo sites, so that a scenario's clients and the orchestrator do not share a
 * core. Answers `ready` with its URL, `usage` with its RSS and CPU, and stops on `stop`.
 */
import { Worker } from 'bullmq';
import { pino } from 'pino';
import { createApp, type Role } from '../src/app.js';
import { createLogger } from '../src/adapters/logger.js';
import { loadConfig } from '../src/config.js';
import { demoSites, sitesConfig } from '../src/cli/demo/demo-sites.js';

export interface OrchestratorChildStart {
  readonly type: 'start';
  readonly roles: readonly Role[];
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly devices: number;
  readonly sites: number;
  /** instead of the roles: a BullMQ worker that does nothing, on this queue (the one-job-per-event baseline) */
  readonly noopWorker?: { readonly queue: string; readonly prefix: string; readonly concurrency: number };
}

export type OrchestratorChildMessage =
  | { readonly type: 'ready'; readonly url: string | undefined }
  | { readonly type: 'usage'; readonly rssBytes: number; readonly cpuSeconds: number }
  | { readonly type: 'failed'; readonly error: string };

const send = (m: OrchestratorChildMessage): void => void process.send?.(m);

process.on('message', (m: OrchestratorChildStart | { type: 'usage' } | { type: 'stop' }) => {
  if (m.type === 'start') void start(m).catch((err: unknown) => send({ type: 'failed', error: err instanceof Error ? err.stack ?? err.message : String(err) }));
  else if (m.type === 'usage') {
    const cpu = process.cpuUsage();
    send({ type: 'usage', rssBytes: process.memoryUsage.rss(), cpuSeconds: (cpu.user + cpu.system) / 1e6 });
  } else if (m.type === 'stop') void stop();
});
process.on('disconnect', () => void stop());

let stopping: (() => Promise<void>) | undefined;

async function start(m: OrchestratorChildStart): Promise<void> {
  if (m.noopWorker) {
    const worker = new Worker(m.noopWorker.queue, async () => undefined, {
      connection: { url: m.redisUrl, maxRetriesPerRequest: null },
      prefix: m.noopWorker.prefix,
      concurrency: m.noopWorker.concurrency,
    });
    await worker.waitUntilReady();
    stopping = () => worker.close();
    send({ type: 'ready', url: undefined });
    return;
  }
  const sites = demoSites({ devices: m.devices, sites: m.sites, region: 'us-east-1' });
  const config = loadConfig({
    allowGeneratedSecretKey: true,
    overrides: { redisUrl: m.redisUrl, keyPrefix: m.keyPrefix, awsRegion: 'us-east-1', sites: sitesConfig(sites), apiTokens: [], logLevel: 'warn', api: { host: '127.0.0.1', port: 0 } },
  });
  const app = await createApp(config, { roles: m.roles, logger: createLogger('warn', pino.destination(2)), listen: { host: '127.0.0.1', port: 0 } });
  await app.start();
  stopping = () => app.stop();
  send({ type: 'ready', url: app.url });
}

async function stop(): Promise<void> {
  await stopping?.().catch(() => undefined);
  process.exit(0);
}
