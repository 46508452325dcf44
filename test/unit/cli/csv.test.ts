import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseCsvLine } from '../../../src/cli/enqueue/csv-line.js';
import { readCsvRecords, type CsvRecord } from '../../../src/cli/enqueue/csv-records.js';

async function records(text: string | Buffer[]): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const r of readCsvRecords(Readable.from(typeof text === 'string' ? [Buffer.from(text)] : text))) out.push(r);
  return out;
}

describe('parseCsvLine', () => {
  it('splits plain and quoted fields, with escaped quotes and commas inside quotes', () => {
    expect(parseCsvLine('a,b,c')).toEqual({ fields: ['a', 'b', 'c'] });
    expect(parseCsvLine('"a,1","say ""hi""",""')).toEqual({ fields: ['a,1', 'say "hi"', ''] });
    expect(parseCsvLine(',,')).toEqual({ fields: ['', '', ''] });
    expect(parseCsvLine('')).toEqual({ fields: [''] });
    expect(parseCsvLine('x,"{""model"":""X1""}"')).toEqual({ fields: ['x', '{"model":"X1"}'] });
  });

  it('refuses bad quoting, naming the field', () => {
    expect(parseCsvLine('a,"b')).toEqual({ error: 'field 2: quoted field is not closed (a field may not span lines)' });
    expect(parseCsvLine('"a"b,c')).toEqual({ error: 'field 1: unexpected text after the closing quote' });
    expect(parseCsvLine('a,b"c')).toMatchObject({ error: expect.stringMatching(/^field 2: a quote inside an unquoted field/) });
  });
});

describe('readCsvRecords', () => {
  it('numbers physical lines across CRLF, LF, a BOM and blank lines', async () => {
    expect(await records('\uFEFFdeviceId,thingName\r\nSN-1,t1\r\n\r\nSN-2,"t,2"\nSN-3,t3')).toEqual([
      { line: 1, fields: ['deviceId', 'thingName'] },
      { line: 2, fields: ['SN-1', 't1'] },
      { line: 4, fields: ['SN-2', 't,2'] },
      { line: 5, fields: ['SN-3', 't3'] },
    ]);
  });

  it('keeps going after a bad line, and handles lines split across chunks', async () => {
    const chunks = ['deviceId\nSN-', '1\r', '\n"SN-2\nSN', '-3\n'].map((s) => Buffer.from(s));
    expect(await records(chunks)).toEqual([
      { line: 1, fields: ['deviceId'] },
      { line: 2, fields: ['SN-1'] },
      { line: 3, error: 'field 1: quoted field is not closed (a field may not span lines)' },
      { line: 4, fields: ['SN-3'] },
    ]);
  });
});
