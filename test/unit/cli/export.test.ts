import { describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../../support/cli-run.js';
import { csvField, manifestFormatter } from '../../../src/cli/export/manifest-format.js';
import { MANIFEST_COLUMNS, type ManifestRow } from '../../../src/cli/export/manifest-row.js';

const run = (...argv: string[]): Promise<CliRun> => runCli(argv);

describe('export flags (checked before any connection)', () => {
  it.each([
    [['export', '--format', 'csv'], '--site S is required'],
    [['export', '--site', 'p1'], '--format csv|jsonl is required'],
    [['export', '--site', 'p1', '--format', 'xlsx'], '--format: must be csv or jsonl, got "xlsx"'],
    [['export', '--site', 'p1', '--format', 'csv', '--state', 'done'], '--state: must be one of'],
    [['export', '--site', 'p1', '--format', 'csv', '--since', 'last week'], '--since: not an ISO-8601 time'],
    [['export', '--site', 'p1', '--format', 'csv', '--api', 'ftp://x'], '--api: must be an http(s) URL'],
    [['export', '--site', 'p1', '--format', 'csv', '--bogus'], "Unknown option '--bogus'"],
  ])('%j → %s', async (argv, message) => {
    const { code, stderr } = await run(...argv);
    expect(code).toBe(2);
    expect(stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(stderr).toContain(`fleet-enroll export: ${message}`);
  });

  it('has --help naming every flag', async () => {
    const { code, stdout } = await run('export', '--help');
    expect(code).toBe(0);
    for (const flag of ['--site', '--format', '--state', '--since', '--out', '--api', '--token']) expect(stdout).toContain(flag);
  });
});

describe('manifest formats', () => {
  it.each([
    ['=1+2', "'=1+2"],
    ['+SUM(A1)', "'+SUM(A1)"],
    ['-2+3', "'-2+3"],
    ['@cmd', "'@cmd"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['=a,"b"', `"'=a,""b"""`],
    ['plain', 'plain'],
    ['a=b', 'a=b'],
  ])('CSV field %j → %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('writes a CSV header and rows with CRLF, JSON Lines with the values as they are', () => {
    const row = Object.fromEntries(MANIFEST_COLUMNS.map((c) => [c, null])) as ManifestRow;
    const r: ManifestRow = { ...row, deviceId: '-SN-1', siteId: 'p1', state: 'failed', error: '=HYPERLINK("x")' };
    const csv = manifestFormatter('csv');
    expect(csv.header).toBe(MANIFEST_COLUMNS.join(',') + '\r\n');
    expect(csv.row(r)).toBe(`'-SN-1,p1,,failed,,,,,,,,,,,,"'=HYPERLINK(""x"")"\r\n`);
    const jsonl = manifestFormatter('jsonl');
    expect(jsonl.header).toBe('');
    expect(JSON.parse(jsonl.row(r))).toEqual(r);
  });
});
