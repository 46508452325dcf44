/**
 * Turns numbered CSV records into POST /v1/enrollments requests of at most `batchSize` events and maps
 * the API's per-index rejections back to CSV line numbers. Malformed rows are rejected here, with their
 * line, and never stop the rest. Requests are sent one after another: a line station's uplink is the
 * limit, and the order keeps the report simple.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EnrollmentAnswer } from '../../api/enrollment-request.js';
import { MAX_EVENTS_PER_REQUEST } from '../../domain/onboarding-event.js';
import type { CsvRecord } from './csv-records.js';
import { DeviceColumns, HeaderError, type EventShape } from './device-columns.js';

/** Sends one request; rejects with an error carrying `status` (0 = unreachable) when the request as a whole failed. */
export type EnrollmentSender = (events: readonly EventShape[]) => Promise<EnrollmentAnswer>;

export interface RejectedRow {
  readonly line: number;
  readonly deviceId?: string;
  readonly errors: readonly { path: string; message: string }[];
}

export interface UploadProgress {
  readonly rows: number;
  readonly requests: number;
}

export interface UploadReport {
  readonly rows: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: readonly RejectedRow[];
}

export interface EnrollmentUploaderOptions {
  readonly siteId: string;
  readonly send: EnrollmentSender;
  readonly batchSize?: number;
  readonly reenroll?: boolean;
  /** attempts per request when the API is unreachable, overloaded (429) or restarting (502-504) */
  readonly attempts?: number;
  readonly retryDelayMs?: number;
  readonly onProgress?: (progress: UploadProgress) => void;
}

/** A request failed for good; rows before `firstUnsentLine` were submitted, this one and later ones were not. */
export class UploadStoppedError extends Error {
  override readonly name = 'UploadStoppedError';

  constructor(
    message: string,
    readonly firstUnsentLine: number,
    readonly partial: UploadReport,
  ) {
    super(message);
  }
}

const RETRYABLE_STATUS = new Set([0, 429, 502, 503, 504]);

export class EnrollmentUploader {
  private readonly batchSize: number;

  constructor(private readonly options: EnrollmentUploaderOptions) {
    this.batchSize = options.batchSize ?? 5000;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > MAX_EVENTS_PER_REQUEST) {
      throw new RangeError(`batch size must be 1-${MAX_EVENTS_PER_REQUEST}`);
    }
  }

  async upload(records: AsyncIterable<CsvRecord>): Promise<UploadReport> {
    const report = { rows: 0, accepted: 0, duplicates: 0, rejected: [] as RejectedRow[] };
    let requests = 0;
    let columns: DeviceColumns | undefined;
    let events: EventShape[] = [];
    let lines: number[] = [];

    const flush = async (): Promise<void> => {
      if (events.length === 0) return;
      let reply: EnrollmentAnswer;
      try {
        reply = await this.sendWithRetries(events);
      } catch (err) {
        throw new UploadStoppedError((err as Error).message, lines[0] ?? 0, snapshot(report));
      }
      report.accepted += reply.accepted;
      report.duplicates += reply.duplicates;
      for (const r of reply.rejected) {
        report.rejected.push({
          line: lines[r.index] ?? -1,
          ...(r.deviceId !== undefined ? { deviceId: r.deviceId } : {}),
          errors: r.errors.map((e) => ({ path: e.path.replace(/^events\[\d+\]\.?/, ''), message: e.message })),
        });
      }
      requests++;
      events = [];
      lines = [];
      this.options.onProgress?.({ rows: report.rows, requests });
    };

    for await (const record of records) {
      if (columns === undefined) {
        if ('error' in record) throw new HeaderError(`line ${record.line} (header): ${record.error}`);
        columns = new DeviceColumns(record.fields);
        continue;
      }
      report.rows++;
      const row = 'error' in record ? record : columns.toEvent(record.fields, this.options.siteId, this.options.reenroll ?? false);
      if ('error' in row) {
        report.rejected.push({ line: record.line, errors: [{ path: 'csv', message: row.error }] });
        continue;
      }
      events.push(row.event);
      lines.push(record.line);
      if (events.length >= this.batchSize) await flush();
    }
    if (columns === undefined) throw new HeaderError('the file is empty: a header row with deviceId is needed');
    await flush();
    report.rejected.sort((a, b) => a.line - b.line);
    return report;
  }

  private async sendWithRetries(events: readonly EventShape[]): Promise<EnrollmentAnswer> {
    const attempts = this.options.attempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.options.send(events);
      } catch (err) {
        const status = (err as { status?: unknown }).status;
        if (attempt >= attempts || typeof status !== 'number' || !RETRYABLE_STATUS.has(status)) throw err;
        // a retried request whose first answer was lost counts its devices as duplicates, never twice
        await sleep((this.options.retryDelayMs ?? 500) * 2 ** (attempt - 1));
      }
    }
  }
}

function snapshot(report: UploadReport): UploadReport {
  return { ...report, rejected: [...report.rejected].sort((a, b) => a.line - b.line) };
}
