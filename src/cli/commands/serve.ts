/** `fleet-enroll serve`: the orchestrator — the API and the pipeline's workers, all roles or some. */
import { ROLES, createApp, type Role } from '../../app.js';
import { createLogger } from '../../adapters/logger.js';
import { loadConfig } from '../../config.js';
import { type CliIo, type Command, UsageError, parseFlags } from '../command.js';

const usage = `usage: fleet-enroll serve [--host H] [--port P] [--roles ${ROLES.join(',')}] [--grace-ms N]

Runs the orchestrator against Redis (REDIS_URL) and AWS (the SDK's credential chain and endpoints).
  --host H      API listen host (default 127.0.0.1; without API tokens only a loopback host is allowed)
  --port P      API listen port (default 8080)
  --roles LIST  comma-separated subset of: ${ROLES.join(', ')} (default: all). Any subset can run in
                separate processes on many machines against one Redis.
  --grace-ms N  on SIGINT / SIGTERM: stop taking work, let running jobs finish and close connections
                within N ms (default 30000); past it, or on a second signal, exit 1 at once (jobs still
                running are then taken over by another process once their lock expires).
Configuration: FLEET_SITES_FILE (required), FLEET_SECRET_KEY (required), FLEET_API_TOKENS_FILE,
FLEET_ACK_MQTT_URL, FLEET_NODE_TAGS, FLEET_TAG_RPS, LOG_LEVEL.`;

export function parseRoles(text: string): Role[] {
  const roles = text
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) throw new UsageError(`--roles: unknown role(s) ${unknown.join(', ')} (known: ${ROLES.join(', ')})`);
  if (roles.length === 0) throw new UsageError('--roles: name at least one role');
  return [...new Set(roles)] as Role[];
}

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port: must be a whole number 0–65535 (got "${text}")`);
  return port;
}

function parseGrace(text: string | undefined): number {
  if (text === undefined) return 30_000;
  const ms = Number(text);
  if (!/^\d{1,7}$/.test(text) || ms < 1) throw new UsageError(`--grace-ms: must be a whole number of milliseconds ≥ 1 (got "${text}")`);
  return ms;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'the orchestrator: API + enrollment workers (all roles or --roles)',
  usage,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const values = parseFlags(argv, { host: { type: 'string' }, port: { type: 'string' }, roles: { type: 'string' }, 'grace-ms': { type: 'string' } });
    const roles = values.roles === undefined ? [...ROLES] : parseRoles(values.roles);
    const port = parsePort(values.port);
    const graceMs = parseGrace(values['grace-ms']);
    const config = loadConfig({ requireSites: true });
    const logger = createLogger(config.logLevel);
    const app = await createApp(config, {
      roles,
      logger,
      listen: { ...(values.host !== undefined ? { host: values.host } : {}), ...(port !== undefined ? { port } : {}) },
    });
    try {
      await app.start();
    } catch (err) {
      await app.stop().catch(() => undefined);
      throw err;
    }
    if (app.url) io.stderr.write(`fleet-enroll serve: roles ${roles.join(',')}; API at ${app.url}\n`);
    else io.stderr.write(`fleet-enroll serve: roles ${roles.join(',')}\n`);
    await new Promise<void>((resolve) => {
      const done = (): void => {
        process.off('SIGINT', done);
        process.off('SIGTERM', done);
        resolve();
      };
      process.on('SIGINT', done);
      process.on('SIGTERM', done);
    });
    // a stop that cannot finish in time (a job stuck on a call) must not keep the process from exiting
    let timer: NodeJS.Timeout | undefined;
    const cutShort = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`grace period of ${graceMs} ms over`), graceMs);
      process.once('SIGINT', () => resolve('second signal'));
      process.once('SIGTERM', () => resolve('second signal'));
    });
    const outcome = await Promise.race([app.stop().then(() => 'stopped'), cutShort]);
    clearTimeout(timer);
    if (outcome !== 'stopped') {
      logger.warn({ graceMs }, `stop cut short (${outcome}): running jobs are taken over by another process once their lock expires`);
      io.stderr.write(`fleet-enroll serve: stop cut short (${outcome})\n`);
      return 1;
    }
    return 0;
  },
};
