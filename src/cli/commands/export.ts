/**
 * `fleet-enroll export`: the enrolled manifest of one site, streamed page by page from `GET /v1/devices`
 * to standard output (or --out FILE), with a progress bar on standard error when that is a terminal.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { FetchLike } from '../api-client.js';
import { DEVICE_STATES, type DeviceState } from '../../domain/device-state.js';
import { type CliIo, type Command, UsageError, parseFlags } from '../command.js';
import { EXPORT_FORMATS, manifestFormatter, type ExportFormat } from '../export/manifest-format.js';
import { toManifestRow } from '../export/manifest-row.js';
import { ProgressBars, type ProgressStream } from '../progress-bar.js';
import { API_CONNECTION_OPTIONS, API_CONNECTION_USAGE, apiClientFrom } from './api-connection.js';

const PAGE = 1_000;

const usage = `usage: fleet-enroll export --site S --format csv|jsonl [--state X] [--since ISO] [--out FILE] [--api URL] [--token T | --token-file F]

Streams the enrolled manifest of site S: one row per device with deviceId, siteId, thingName, state,
managedNodeId, activationId, batchId, the time of each state and the last error. Finished records
are kept for FLEET_RETENTION_DAYS (default 30) only: export them to keep them longer.
CSV fields that a spreadsheet would run as a formula (starting with = + - @ tab CR) get a leading '.
  --site S                  the site (required)
  --format csv|jsonl        CSV with a header line, or JSON Lines (required)
  --state X                 only devices in state X (${DEVICE_STATES.join(', ')})
  --since ISO               only devices whose last change is at or after this time (e.g. 2026-01-31T00:00:00Z)
  --out FILE                write to FILE instead of standard output
${API_CONNECTION_USAGE}`;

export function exportCommandWith(fetchImpl?: FetchLike): Command {
  return {
    name: 'export',
    summary: 'stream the enrolled manifest of a site as CSV or JSON Lines',
    usage,
    async run(argv: readonly string[], io: CliIo): Promise<number> {
      const values = parseFlags(argv, {
        site: { type: 'string' },
        format: { type: 'string' },
        state: { type: 'string' },
        since: { type: 'string' },
        out: { type: 'string' },
        ...API_CONNECTION_OPTIONS,
      });
      if (values.site === undefined || values.site.trim() === '') throw new UsageError('--site S is required');
      if (values.format === undefined) throw new UsageError('--format csv|jsonl is required');
      if (!(EXPORT_FORMATS as readonly string[]).includes(values.format)) throw new UsageError(`--format: must be csv or jsonl, got "${values.format}"`);
      if (values.state !== undefined && !(DEVICE_STATES as readonly string[]).includes(values.state)) {
        throw new UsageError(`--state: must be one of ${DEVICE_STATES.join(', ')}, got "${values.state}"`);
      }
      if (values.since !== undefined && Number.isNaN(Date.parse(values.since))) throw new UsageError(`--since: not an ISO-8601 time: "${values.since}"`);
      if (values.out !== undefined && values.out.trim() === '') throw new UsageError('--out: is empty');
      const client = apiClientFrom(values, fetchImpl);
      const siteId = values.site;
      const state = values.state as DeviceState | undefined;
      const since = values.since === undefined ? undefined : new Date(Date.parse(values.since)).toISOString();

      // the total for the bar: the site's count (of the state asked for); checks site and token first
      const site = await client.site(siteId);
      const total = state ? site.counts[state] : Object.values(site.counts).reduce((a, b) => a + b, 0);
      const stderr = io.stderr as ProgressStream;
      const bars = stderr.isTTY === true ? new ProgressBars({ stream: stderr }) : undefined;
      const bar = bars?.add(`export ${siteId}`, Math.max(total, 1));

      const out = values.out === undefined ? io.stdout : createWriteStream(values.out);
      const write = async (text: string): Promise<void> => {
        if (!out.write(text)) await once(out, 'drain');
      };
      const formatter = manifestFormatter(values.format as ExportFormat);
      let rows = 0;
      if (formatter.header !== '') await write(formatter.header);
      let cursor: string | null = null;
      do {
        const page = await client.devices({ siteId, state, since, limit: PAGE, cursor });
        for (const d of page.items) await write(formatter.row(toManifestRow(d)));
        rows += page.items.length;
        // devices enrolled while exporting may take the count past the first total
        if (bar) {
          if (rows > bar.total) bar.setTotal(rows);
          bar.update(rows, `${rows.toLocaleString('en-US')} rows`);
        }
        cursor = page.nextCursor;
      } while (cursor !== null);
      bar?.setTotal(Math.max(rows, 1));
      bars?.finish();
      if (values.out !== undefined) {
        out.end();
        await once(out, 'finish');
        io.stderr.write(`exported ${rows} device${rows === 1 ? '' : 's'} of site ${siteId} to ${values.out}\n`);
      }
      return 0;
    },
  };
}

export const exportCommand = exportCommandWith();
