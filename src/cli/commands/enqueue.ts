/** `fleet-enroll enqueue`: a line station's bulk submit of a device CSV. Flag parsing and output only. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { MAX_EVENTS_PER_REQUEST } from '../../domain/onboarding-event.js';
import { type CliIo, type Command, UsageError, parseFlags } from '../command.js';
import { readCsvRecords } from '../enqueue/csv-records.js';
import { HeaderError } from '../enqueue/device-columns.js';
import { EnrollmentUploader, UploadStoppedError, type UploadReport } from '../enqueue/enrollment-uploader.js';
import { ProgressBars, type ProgressStream } from '../progress-bar.js';
import { renderTable } from '../table.js';
import { printable } from '../../domain/printable-text.js';
import { API_CONNECTION_OPTIONS, API_CONNECTION_USAGE, apiClientFrom } from './api-connection.js';

const usage = `usage: fleet-enroll enqueue --site S --file devices.csv [options]

Streams a device CSV of any size to POST /v1/enrollments in bulk requests and reports
what was accepted, what was a duplicate (already in flight) and what was rejected, by
CSV line number.

  --site S                  site of every device in the file
  --file F                  the CSV; - reads standard input
  --batch N                 events per request, 1-${MAX_EVENTS_PER_REQUEST} (default 5000)
  --reenroll                enroll again devices that are already in flight
${API_CONNECTION_USAGE}

CSV: a header row, then one device per line; comma-separated, "…" quoting with "" for a
quote; CRLF or LF; a field may not span lines. Columns:
  deviceId                  required
  thingName                 optional; empty or absent = the device id
  attr.<name>               optional, one column per attribute (e.g. attr.model); empty = not set
Any other column is refused. A malformed line (wrong number of fields, bad quoting) is
rejected with its line number and the rest of the file still goes through.

Progress goes to stderr (a bar on a terminal, a line every few seconds otherwise); the
report goes to stdout. Exit 0 when every row was accepted or a duplicate, 1 when any row
was rejected or the upload stopped, 2 on bad flags or a bad header.`;

function printReport(io: CliIo, report: UploadReport): void {
  io.stdout.write(
    renderTable(
      [{ header: 'rows' }, { header: 'count', align: 'right' }],
      [
        ['read', report.rows],
        ['accepted', report.accepted],
        ['duplicates', report.duplicates],
        ['rejected', report.rejected.length],
      ],
    ),
  );
  if (report.rejected.length === 0) return;
  io.stdout.write('\nrejected:\n');
  for (const r of report.rejected) {
    const why = r.errors.map((e) => (e.path && e.path !== 'csv' ? `${e.path}: ${e.message}` : e.message)).join('; ');
    io.stdout.write(printable(`line ${r.line}${r.deviceId !== undefined ? ` (${r.deviceId})` : ''}: ${why}`) + '\n');
  }
}

export const enqueueCommand: Command = {
  name: 'enqueue',
  summary: "a line station's bulk submit of a device CSV",
  usage,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const values = parseFlags(argv, {
      site: { type: 'string' },
      file: { type: 'string' },
      ...API_CONNECTION_OPTIONS,
      batch: { type: 'string' },
      reenroll: { type: 'boolean' },
    });
    if (!values.site) throw new UsageError('--site is required');
    if (!values.file) throw new UsageError('--file is required (- for standard input)');
    const batch = values.batch === undefined ? 5000 : Number(values.batch);
    if (!Number.isInteger(batch) || batch < 1 || batch > MAX_EVENTS_PER_REQUEST) {
      throw new UsageError(`--batch: must be a whole number 1-${MAX_EVENTS_PER_REQUEST}`);
    }
    const client = apiClientFrom(values);

    let input: Readable;
    let size = 0;
    if (values.file === '-') {
      input = process.stdin;
    } else {
      let found;
      try {
        found = await stat(values.file);
      } catch (err) {
        throw new UsageError(`--file: cannot read ${values.file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      if (found.isDirectory()) throw new UsageError(`--file: ${values.file} is a directory, not a CSV file`);
      size = found.size;
      input = createReadStream(values.file);
    }
    // counts what the CSV reader consumed, for the progress bar (a pipe keeps back-pressure intact)
    let bytes = 0;
    const counted = input.pipe(
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          done(null, chunk);
        },
      }),
    );

    const progress = new ProgressBars({ stream: io.stderr as ProgressStream });
    const bar = progress.add('enqueue', size);
    bar.update(0, '0 rows sent');
    const uploader = new EnrollmentUploader({
      siteId: values.site,
      batchSize: batch,
      reenroll: values.reenroll ?? false,
      send: (events) => client.enroll(events),
      onProgress: ({ rows }) => bar.update(bytes, `${rows.toLocaleString('en-US')} rows sent`),
    });
    try {
      const report = await uploader.upload(readCsvRecords(counted));
      bar.update(size || bytes, `${report.rows.toLocaleString('en-US')} rows sent`);
      progress.finish();
      printReport(io, report);
      return report.rejected.length > 0 ? 1 : 0;
    } catch (err) {
      if (err instanceof HeaderError) throw new UsageError(`${values.file}: ${err.message}`);
      if (err instanceof UploadStoppedError) {
        printReport(io, err.partial);
        io.stderr.write(
          `fleet-enroll enqueue: stopped at line ${err.firstUnsentLine}: ${printable(err.message)}; lines from ${err.firstUnsentLine} on were not submitted\n`,
        );
        return 1;
      }
      throw err;
    } finally {
      input.destroy();
    }
  },
};
