import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCsvRecords } from '../../../src/cli/enqueue/csv-records.js';
import { DeviceColumns, HeaderError, type EventShape } from '../../../src/cli/enqueue/device-columns.js';
import type { EnrollmentAnswer } from '../../../src/api/enrollment-request.js';
import { EnrollmentUploader, UploadStoppedError } from '../../../src/cli/enqueue/enrollment-uploader.js';

const csv = (text: string) => readCsvRecords(Readable.from([Buffer.from(text)]));

/** A stand-in API: rejects device ids starting with "bad", counts "dup" as duplicates, like the real route does per index. */
function fakeApi() {
  const requests: EventShape[][] = [];
  const send = (events: readonly EventShape[]): Promise<EnrollmentAnswer> => {
    requests.push([...events]);
    const rejected = events.flatMap((e, index) =>
      e.deviceId.startsWith('bad') ? [{ index, deviceId: e.deviceId, errors: [{ path: `events[${index}].deviceId`, message: 'not allowed' }] }] : [],
    );
    const duplicates = events.filter((e) => e.deviceId.startsWith('dup')).length;
    return Promise.resolve({ accepted: events.length - rejected.length - duplicates, duplicates, rejected });
  };
  return { requests, send };
}

describe('DeviceColumns', () => {
  it('maps deviceId, thingName and attr.<name> columns; empty cells are left out', () => {
    const columns = new DeviceColumns(['attr.model', 'deviceId', ' thingName ', 'attr.rev']);
    expect(columns.toEvent(['X1', 'SN-1', 'edge-1', ''], 'plant-1', false)).toEqual({
      event: { deviceId: 'SN-1', siteId: 'plant-1', thingName: 'edge-1', attributes: { model: 'X1' } },
    });
    expect(columns.toEvent(['', 'SN-2', '', ''], 'plant-1', true)).toEqual({ event: { deviceId: 'SN-2', siteId: 'plant-1', reenroll: true } });
    expect(columns.toEvent(['SN-3'], 'plant-1', false)).toEqual({ error: '1 fields, the header has 4' });
  });

  it('refuses a header without deviceId, with an unknown or a repeated column', () => {
    expect(() => new DeviceColumns(['thingName'])).toThrow(HeaderError);
    expect(() => new DeviceColumns(['deviceId', 'siteId'])).toThrow(/unknown column "siteId"/);
    expect(() => new DeviceColumns(['deviceId', 'deviceId'])).toThrow(/appears twice/);
  });
});

describe('EnrollmentUploader', () => {
  it('sends bounded requests and maps API rejections and malformed rows to CSV line numbers', async () => {
    const api = fakeApi();
    const progress: number[] = [];
    const rows = ['deviceId,thingName'];
    for (let i = 0; i < 25; i++) rows.push(i === 7 ? 'bad-7,t' : i === 12 ? 'SN-12,"t' : i === 20 ? 'dup-20,t' : `SN-${i},t${i}`);
    rows.splice(10, 0, ''); // a blank line shifts the line numbers after it
    rows.push('bad-last,x,y', 'bad-25,t');
    const uploader = new EnrollmentUploader({ siteId: 'plant-1', send: api.send, batchSize: 10, onProgress: (p) => progress.push(p.rows) });

    const report = await uploader.upload(csv(rows.join('\r\n')));

    expect(api.requests.map((r) => r.length)).toEqual([10, 10, 5]);
    expect(api.requests.flat().every((e) => e.siteId === 'plant-1')).toBe(true);
    expect(progress).toEqual([10, 21, 27]);
    expect(report).toEqual({
      rows: 27,
      accepted: 22,
      duplicates: 1,
      rejected: [
        { line: 9, deviceId: 'bad-7', errors: [{ path: 'deviceId', message: 'not allowed' }] },
        { line: 15, errors: [{ path: 'csv', message: 'field 2: quoted field is not closed (a field may not span lines)' }] },
        { line: 28, errors: [{ path: 'csv', message: '3 fields, the header has 2' }] },
        { line: 29, deviceId: 'bad-25', errors: [{ path: 'deviceId', message: 'not allowed' }] },
      ],
    });
  });

  it('retries a request the API could not take, then stops with the first line not submitted', async () => {
    let calls = 0;
    const flaky = (events: readonly EventShape[]): Promise<EnrollmentAnswer> => {
      calls++;
      if (calls === 1) return Promise.reject(Object.assign(new Error('cannot reach the API'), { status: 0 }));
      if (calls === 2) return Promise.resolve({ accepted: events.length, duplicates: 0, rejected: [] });
      return Promise.reject(Object.assign(new Error('token not allowed'), { status: 403 }));
    };
    const uploader = new EnrollmentUploader({ siteId: 's', send: flaky, batchSize: 2, retryDelayMs: 1 });
    const err = await uploader.upload(csv('deviceId\nA\nB\nC\nD\n')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadStoppedError);
    expect((err as UploadStoppedError).firstUnsentLine).toBe(4);
    expect((err as UploadStoppedError).message).toBe('token not allowed');
    expect((err as UploadStoppedError).partial).toMatchObject({ accepted: 2, rows: 4 });
    expect(calls).toBe(3); // a 403 is not retried
  });

  it('refuses an empty file, a bad header line and an out-of-range batch', async () => {
    const { send } = fakeApi();
    await expect(new EnrollmentUploader({ siteId: 's', send }).upload(csv(''))).rejects.toThrow(/empty/);
    await expect(new EnrollmentUploader({ siteId: 's', send }).upload(csv('"deviceId\nA'))).rejects.toThrow(/line 1 \(header\)/);
    expect(() => new EnrollmentUploader({ siteId: 's', send, batchSize: 10_001 })).toThrow(RangeError);
  });
});
