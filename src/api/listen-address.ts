/**
 * Where the API may listen. Without API tokens the API is open, so it may only bind to loopback;
 * asked to bind elsewhere it refuses (throws) instead of exposing an open API.
 */
import type pino from 'pino';
import type { Config } from '../config.js';
import { ConfigError } from '../domain/errors.js';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  // the whole 127.0.0.0/8 block is loopback, also written as an IPv4-mapped IPv6 address
  return /^(::ffff:)?127(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(h);
}

/**
 * The host and port to listen on (config.api, or the overrides of `serve --host/--port`).
 * No tokens + loopback host → a warning line; no tokens + any other host → ConfigError naming api.host.
 */
export function listenAddress(
  config: Pick<Config, 'api' | 'apiTokens'>,
  logger?: Pick<pino.Logger, 'warn'>,
  overrides: { host?: string; port?: number } = {},
): ListenAddress {
  const host = overrides.host ?? config.api.host;
  const port = overrides.port ?? config.api.port;
  if (config.apiTokens.length > 0) return { host, port };
  if (!isLoopbackHost(host)) {
    throw new ConfigError(
      [
        {
          path: 'api.host',
          message:
            `refusing to listen on ${host}: no API tokens are configured, so the API would be open to the network; ` +
            'set FLEET_API_TOKENS_FILE or listen on a loopback host (127.0.0.1, ::1, localhost)',
        },
      ],
      'listen address',
    );
  }
  logger?.warn(
    { host, port },
    `no API tokens configured (FLEET_API_TOKENS_FILE): the API is open and listens on loopback ${host}:${port} only`,
  );
  return { host, port };
}
