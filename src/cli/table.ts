/** Aligned plain-text tables for command output (reports, status listings); cells are made printable. */
import { printable } from '../domain/printable-text.js';

export interface TableColumn {
  readonly header: string;
  /** numbers read best right-aligned */
  readonly align?: 'left' | 'right';
}

export type TableCell = string | number;

/** Characters as a terminal shows them (code points, not UTF-16 units). */
function width(text: string): number {
  return [...text].length;
}

function pad(text: string, size: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, size - width(text)));
  return align === 'right' ? fill + text : text + fill;
}

function cellText(cell: TableCell | undefined): string {
  if (cell === undefined) return '';
  return typeof cell === 'number' ? cell.toLocaleString('en-US') : printable(cell);
}

/** Header, a rule, then rows; two spaces between columns; no trailing spaces; ends with a newline. */
export function renderTable(columns: readonly TableColumn[], rows: readonly (readonly TableCell[])[]): string {
  const texts = rows.map((row) => columns.map((_, i) => cellText(row[i])));
  const widths = columns.map((c, i) => Math.max(width(printable(c.header)), ...texts.map((t) => width(t[i] ?? ''))));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => pad(cell, widths[i] ?? 0, columns[i]?.align ?? 'left'))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => printable(c.header))), line(widths.map((w) => '-'.repeat(w))), ...texts.map(line)].join('\n') + '\n';
}
