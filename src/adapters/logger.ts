/**
 * pino logger with its destination injectable (tests capture every line). Secrets are redacted by path
 * wherever they might be nested; the pipeline never logs them in the first place — this is the net below.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { redactQueryValues, serializeRequest } from './log-url-redaction.js';

const SECRET_KEYS = ['activationCode', 'code', 'token', 'authorization', 'secretKey', 'sealedCode'];

export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  'req.headers.authorization',
  'headers.authorization',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'fleet-enroll' },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    serializers: {
      req: serializeRequest,
      err: (err: Error) => {
        const out = pino.stdSerializers.err(err);
        return { ...out, message: redactQueryValues(String(out.message ?? '')), stack: redactQueryValues(String(out.stack ?? '')) };
      },
    },
    hooks: {
      // message strings (Fastify's own quote the URL) lose their query values too
      logMethod(this: Logger, args: Parameters<Logger['info']>, method: (...a: unknown[]) => void): void {
        method.apply(this, args.map((a) => (typeof a === 'string' ? redactQueryValues(a) : a)));
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
