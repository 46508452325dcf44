import { describe, expect, it } from 'vitest';
import { ReadmeTablesError, renderResult, renderSection, rewriteSections, scenarioOfFile, select, type NamedResult, type ResultFile } from '../../../bench/readme-tables.js';

const result = (scenario: string, startedAt: string, options: Record<string, unknown>): ResultFile => ({
  scenario,
  startedAt,
  finishedAt: startedAt,
  command: `npm run bench -- --scenario ${scenario}`,
  loadAverageAtEnd: [1, 2, 3],
  table: [['devices', 1000, 'a | b']],
  options,
});
const results: NamedResult[] = [
  { path: 'bench/results/a-e2e.json', result: result('e2e', '2026-01-01T00:00:00.000Z', { devices: 1000000 }) },
  { path: 'bench/results/b-e2e.json', result: result('e2e', '2026-01-02T00:00:00.000Z', { devices: 100000 }) },
  { path: 'bench/results/c-e2e.json', result: result('e2e', '2026-01-03T00:00:00.000Z', { devices: 100000 }) },
  { path: 'bench/results/d-ingest.json', result: result('ingest', '2026-01-04T00:00:00.000Z', {}) },
];

describe('select', () => {
  it('takes the newest result of a scenario whose options match', () => {
    expect(select(results, 'latest e2e').path).toBe('bench/results/c-e2e.json');
    expect(select(results, 'latest e2e devices=1000000').path).toBe('bench/results/a-e2e.json');
    expect(select(results, 'bench/results/b-e2e.json').path).toBe('bench/results/b-e2e.json');
  });

  it('says so when nothing matches, instead of leaving a section empty', () => {
    expect(() => select(results, 'latest e2e devices=5')).toThrow(ReadmeTablesError);
    expect(() => select(results, 'latest latency')).toThrow(ReadmeTablesError);
    expect(() => select(results, 'bench/results/nope.json')).toThrow(ReadmeTablesError);
    expect(() => select(results, 'latest e2e devices')).toThrow(ReadmeTablesError);
  });
});

describe('renderResult', () => {
  it('cites the command, the time, the load and the file, and escapes pipes in cells', () => {
    const md = renderResult({
      ...results[3]!,
      result: { ...results[3]!.result, tables: [{ title: 'CPU per process', header: ['process', 'CPU s', 'runs'], rows: [['emulator', '1.5', 'SSM']] }] },
    });
    expect(md).toContain('`npm run bench -- --scenario ingest` — 2026-01-04T00:00:00.000Z');
    expect(md).toContain('load average at end 1 / 2 / 3 (`bench/results/d-ingest.json`)');
    expect(md).toContain('| devices | 1,000 | a \\| b |');
    expect(md).toContain('CPU per process:\n\n| process | CPU s | runs |\n|---|--:|---|\n| emulator | 1.5 | SSM |');
  });
});

describe('renderSection', () => {
  it('says when no result matches yet, and still refuses a file that is not there', () => {
    expect(renderSection(results, 'latest e2e-random')).toMatch(/^_No result file matches `latest e2e-random` yet/);
    expect(renderSection(results, 'latest ingest')).toContain('bench/results/d-ingest.json');
    expect(() => renderSection(results, 'bench/results/nope.json')).toThrow(ReadmeTablesError);
  });
});

describe('rewriteSections', () => {
  const readme = ['# Bench', 'prose stays', '<!-- tables:begin latest e2e -->', 'old table', 'old line', '<!-- tables:end -->', 'more prose', '<!-- tables:begin latest ingest -->', '<!-- tables:end -->', ''].join('\n');

  it('replaces only what is between the markers, each section by its selector', () => {
    const out = rewriteSections(readme, (selector) => `NEW(${selector})`);
    expect(out).toBe(
      ['# Bench', 'prose stays', '<!-- tables:begin latest e2e -->', '', 'NEW(latest e2e)', '', '<!-- tables:end -->', 'more prose', '<!-- tables:begin latest ingest -->', '', 'NEW(latest ingest)', '', '<!-- tables:end -->', ''].join('\n'),
    );
    expect(rewriteSections(out, (selector) => `NEW(${selector})`)).toBe(out);
  });

  it('refuses unbalanced markers', () => {
    expect(() => rewriteSections('<!-- tables:begin latest e2e -->\nno end', () => '')).toThrow(ReadmeTablesError);
    expect(() => rewriteSections('<!-- tables:begin latest e2e -->\n<!-- tables:begin latest ingest -->\n<!-- tables:end -->', () => '')).toThrow(ReadmeTablesError);
    expect(() => rewriteSections('text\n<!-- tables:end -->', () => '')).toThrow(ReadmeTablesError);
  });

  it('names a result file by its scenario', () => {
    expect(scenarioOfFile('bench/results/2026-11-26T08-25-50-904Z-e2e-random.json')).toBe('e2e-random');
  });
});
