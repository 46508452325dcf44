/**
 * `fleet-enroll export` against a real pipeline: devices whose id and last error start with = + - @ (the
 * errors come from failed acks posted to the API) are exported as CSV — those fields neutralised with a
 * leading ' — and as JSON Lines with the values as they are; --state filters; every device once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../../support/cli-run.js';
import { MANIFEST_COLUMNS } from '../../../src/cli/export/manifest-row.js';
import { PipelineHarness } from '../pipeline/support/pipeline-harness.js';

const SITE = 'plant-export';
const DEVICES = 1_200;
const HOSTILE = ['=1+2', '+SUM(A1:A9)', '-2+3', '@cmd|x', '=HYPERLINK("http://x","a,b")'];

const exportRun = (...argv: string[]): Promise<CliRun> => runCli(['export', ...argv]);

/** RFC 4180 rows (quoted fields may hold commas, quotes, CR, LF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('fleet-enroll export', () => {
  let h: PipelineHarness;
  let api: string;

  beforeAll(async () => {
    h = await PipelineHarness.start({
      sites: [{ id: SITE, maxBatchSize: 1000 }],
      batchWindowMs: 100,
      roles: ['api', 'intake', 'activation', 'delivery', 'ack'],
      // nobody registers: the test posts the acks itself
      simulator: { silentFraction: 1 },
    });
    api = h.app.url!;
    const events = h.events(SITE, DEVICES);
    events[0] = { ...events[0]!, deviceId: '-SN-minus', thingName: '-edge-minus' };
    await h.enroll(events);
    await h.waitFor(() => h.observer.received.length >= DEVICES, 60_000, () => `credentials: ${h.observer.received.length}`);
    // failed acks whose error text a spreadsheet would run as a formula
    for (const [i, error] of HOSTILE.entries()) {
      const m = h.observer.received[i]!.message;
      const res = await fetch(`${api}/v1/acks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ v: 1, deliveryId: m.deliveryId, activationId: m.activationId, status: 'failed', error }),
      });
      expect(res.status, await res.text()).toBe(202);
    }
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('streams CSV with formula-looking fields neutralised, every device once', async () => {
    const { code, stdout, stderr } = await exportRun('--site', SITE, '--format', 'csv', '--api', api);
    expect(code, stderr).toBe(0);
    expect(stderr).toBe(''); // not a terminal: no progress bar
    const [header, ...rows] = parseCsv(stdout);
    expect(header).toEqual([...MANIFEST_COLUMNS]);
    expect(rows).toHaveLength(DEVICES);
    const col = (name: string): number => MANIFEST_COLUMNS.indexOf(name as (typeof MANIFEST_COLUMNS)[number]);
    expect(new Set(rows.map((r) => r[col('deviceId')])).size).toBe(DEVICES);
    expect(rows.map((r) => r[col('deviceId')])).toContain("'-SN-minus");
    expect(rows.map((r) => r[col('thingName')])).toContain("'-edge-minus");
    const errors = rows.map((r) => r[col('error')]).filter((e) => e !== '');
    expect(errors.sort()).toEqual(HOSTILE.map((e) => `'${e}`).sort());
    for (const r of rows) {
      expect(r[col('siteId')]).toBe(SITE);
      expect(r[col('state')]).toBe('delivered');
      expect(r[col('activationId')]).toMatch(/^[0-9a-f-]{36}$/);
      expect(r[col('acceptedAt')]).toMatch(/^\d{4}-\d\d-\d\dT/);
      for (const v of r) expect(v).not.toMatch(/^[=+\-@\t\r]/);
    }
    // the activation code is never exported
    const codes = [...h.observer.codes];
    expect(codes.length).toBeGreaterThan(0);
    for (const c of codes) expect(stdout).not.toContain(c);
  });

  it('streams JSON Lines with the values as they are, and filters by state and time', async () => {
    const { code, stdout } = await exportRun('--site', SITE, '--format', 'jsonl', '--api', api);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, string | null>);
    expect(lines).toHaveLength(DEVICES);
    expect(Object.keys(lines[0]!)).toEqual([...MANIFEST_COLUMNS]);
    expect(lines.map((l) => l.deviceId)).toContain('-SN-minus');
    expect(lines.map((l) => l.error).filter((e) => e !== null).sort()).toEqual([...HOSTILE].sort());

    const none = await exportRun('--site', SITE, '--format', 'jsonl', '--state', 'registered', '--api', api);
    expect(none).toMatchObject({ code: 0, stdout: '' });
    const future = await exportRun('--site', SITE, '--format', 'csv', '--since', new Date(Date.now() + 3_600_000).toISOString(), '--api', api);
    expect(future.code).toBe(0);
    expect(parseCsv(future.stdout)).toHaveLength(1); // the header only
  });

  it('fails with one line naming the problem for an unknown site', async () => {
    const { code, stderr } = await exportRun('--site', 'plant-nowhere', '--format', 'csv', '--api', api);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('plant-nowhere');
  });
});
