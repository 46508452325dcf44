/**
 * Streams a CSV file of any size as numbered records: line 1 is the header. CRLF, LF and a UTF-8 BOM are
 * handled; blank lines are skipped. Memory stays flat: one line at a time.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseCsvLine } from './csv-line.js';

export type CsvRecord =
  | { readonly line: number; readonly fields: string[] }
  | { readonly line: number; readonly error: string };

export async function* readCsvRecords(input: Readable): AsyncGenerator<CsvRecord> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const raw of lines) {
    line++;
    const text = line === 1 && raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
    if (text.trim() === '') continue;
    const parsed = parseCsvLine(text);
    yield 'fields' in parsed ? { line, fields: parsed.fields } : { line, error: parsed.error };
  }
}
