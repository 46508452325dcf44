/**
 * The manifest's two formats. CSV (RFC 4180, CRLF) is safe to open in a spreadsheet: a field starting
 * with = + - @ tab or CR would be read as a formula (CSV injection, OWASP), so it gets a leading `'`.
 * JSON Lines is data for programs: one JSON object per line, values as they are.
 */
import { MANIFEST_COLUMNS, type ManifestRow } from './manifest-row.js';

export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: string | null): string {
  if (value === null) return '';
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export interface ManifestFormatter {
  /** the text before the first row ('' for none) */
  readonly header: string;
  row(row: ManifestRow): string;
}

export function manifestFormatter(format: ExportFormat): ManifestFormatter {
  if (format === 'jsonl') return { header: '', row: (r) => JSON.stringify(r) + '\n' };
  return {
    header: MANIFEST_COLUMNS.join(',') + '\r\n',
    row: (r) => MANIFEST_COLUMNS.map((c) => csvField(r[c])).join(',') + '\r\n',
  };
}
