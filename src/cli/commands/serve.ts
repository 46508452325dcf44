/** `fleet-enroll serve`: the orchestrator — the API and the pipeline's workers, all roles or some. */
import { parseArgs } from 'node:util';
import { ROLES, createApp, type Role } from '../../app.js';
import { createLogger } from '../../adapters/logger.js';
import { loadConfig } from '../../config.js';
import { UsageError, type CliIo, type Command } from '../command.js';

const usage = `usage: fleet-enroll serve [--host H] [--port P] [--roles ${ROLES.join(',')}]

Runs the orchestrator against Redis (REDIS_URL) and AWS (the SDK's credential chain and endpoints).
  --host H      API listen host (default 127.0.0.1; without API tokens only a loopback host is allowed)
  --port P      API listen port (default 8080)
  --roles LIST  comma-separated subset of: ${ROLES.join(', ')} (default: all). Any subset can run in
                separate processes on many machines against one Redis.
Configuration: FLEET_SITES_FILE (required), FLEET_SECRET_KEY (required), FLEET_API_TOKENS_FILE,
FLEET_ACK_MQTT_URL, LOG_LEVEL. Stops gracefully on SIGINT / SIGTERM (running jobs finish first).`;

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

export const serveCommand: Command = {
  name: 'serve',
  summary: 'the orchestrator: API + enrollment workers (all roles or --roles)',
  usage,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({
      args: [...argv],
      options: { host: { type: 'string' }, port: { type: 'string' }, roles: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
    const roles = values.roles === undefined ? [...ROLES] : parseRoles(values.roles);
    const port = parsePort(values.port);
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
    await app.stop();
    return 0;
  },
};
