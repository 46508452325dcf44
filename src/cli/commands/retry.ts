/** `fleet-enroll retry`: re-drive what failed, through the API's admin retry routes. */
import type { FetchLike } from '../api-client.js';
import type { RetryResult } from '../../api/services.js';
import { type CliIo, type Command, UsageError, parseFlags } from '../command.js';
import { API_CONNECTION_OPTIONS, API_CONNECTION_USAGE, apiClientFrom } from './api-connection.js';

const usage = `usage: fleet-enroll retry (--batch B | --site S | --all-failed) [--json] [--api URL] [--token T | --token-file F]

Re-drives what failed: the batch's activation is created again and its failed devices go back
in flight. Needs an admin token (when the server has tokens).
  --batch B                 one batch                     (POST /v1/batches/B/retry)
  --site S                  every failed batch of site S  (POST /v1/sites/S/retry)
  --all-failed              every failed batch            (POST /v1/retry-failed)
  --json                    print the API's JSON answer
${API_CONNECTION_USAGE}`;

export function retryCommandWith(fetchImpl?: FetchLike): Command {
  return {
    name: 'retry',
    summary: 're-drive what failed: a batch, a site, or everything failed',
    usage,
    async run(argv: readonly string[], io: CliIo): Promise<number> {
      const values = parseFlags(argv, {
        batch: { type: 'string' },
        site: { type: 'string' },
        'all-failed': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        ...API_CONNECTION_OPTIONS,
      });
      const chosen = [values.batch !== undefined, values.site !== undefined, values['all-failed']].filter(Boolean).length;
      if (chosen !== 1) throw new UsageError('give exactly one of --batch B, --site S, --all-failed');
      for (const flag of ['batch', 'site'] as const) {
        if (values[flag] !== undefined && values[flag].trim() === '') throw new UsageError(`--${flag}: is empty`);
      }
      const client = apiClientFrom(values, fetchImpl);
      let result: RetryResult;
      let what: string;
      if (values.batch !== undefined) {
        result = await client.retryBatch(values.batch);
        what = `batch ${values.batch}`;
      } else if (values.site !== undefined) {
        result = await client.retrySite(values.site);
        what = `site ${values.site}`;
      } else {
        result = await client.retryAllFailed();
        what = 'every site';
      }
      if (values.json) io.stdout.write(JSON.stringify(result) + '\n');
      else {
        const batches = `${result.batches} batch${result.batches === 1 ? '' : 'es'}`;
        const devices = `${result.devices} device${result.devices === 1 ? '' : 's'}`;
        io.stdout.write(`re-driven (${what}): ${batches}, ${devices} back in flight\n`);
      }
      return 0;
    },
  };
}

export const retryCommand = retryCommandWith();
