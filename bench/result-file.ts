/** Each scenario's figures: printed as a table and written as JSON under bench/results/<timestamp>-<scenario>.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { renderTable } from '../src/cli/table.js';
import type { Machine } from './machine.js';

export type Row = readonly [figure: string, value: string | number, note?: string];

/** a table beside the figures (e.g. CPU per process), printed after them and by bench/latest-tables.ts */
export interface ExtraTable {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly rows: readonly Row[];
  readonly tables?: readonly ExtraTable[];
  /** everything measured, for the JSON file */
  readonly data: Record<string, unknown>;
}

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

export function renderRows(rows: readonly Row[]): string {
  return renderTable(
    [{ header: 'figure' }, { header: 'value', align: 'right' }, { header: 'note' }],
    rows.map((r) => [r[0], r[1], r[2] ?? '']),
  );
}

export function renderExtraTable(table: ExtraTable): string {
  return `${table.title}\n${renderTable(
    table.header.map((header, i) => ({ header, ...(table.rows.every((r) => /^-?[\d,.]+$/.test(String(r[i]))) ? { align: 'right' as const } : {}) })),
    table.rows.map((r) => [...r]),
  )}`;
}

export function writeResult(result: ScenarioResult, context: { machine: Machine; command: string; startedAt: Date }): string {
  mkdirSync(RESULTS, { recursive: true });
  const stamp = context.startedAt.toISOString().replace(/[:.]/g, '-');
  const file = `${RESULTS}${stamp}-${result.scenario}.json`;
  // the machine may be shared: the load average says how much else ran meanwhile
  const json = {
    scenario: result.scenario,
    startedAt: context.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: context.command,
    machine: context.machine,
    loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
    table: result.rows,
    tables: result.tables ?? [],
    ...result.data,
  };
  writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
  return file;
}

export const perSecond = (count: number, ms: number): number => Math.round((count / Math.max(1, ms)) * 1000);
