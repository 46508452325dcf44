/** `fleet-enroll status`: where things stand, read from the API of a running `fleet-enroll serve`. */
import type { FetchLike } from '../api-client.js';
import type { BatchView, DeviceView, NodeQuotaView, SiteView } from '../../api/services.js';
import { DEVICE_STATES } from '../../domain/device-state.js';
import { type CliIo, type Command, UsageError, parseFlags } from '../command.js';
import { renderTable, type TableCell } from '../table.js';
import { API_CONNECTION_OPTIONS, API_CONNECTION_USAGE, apiClientFrom } from './api-connection.js';

const usage = `usage: fleet-enroll status [--site S] [--device D] [--batch B] [--json] [--api URL] [--token T | --token-file F]

Shows where things stand. Without a selector: every site the token may read, devices per state.
  --site S                  one site: devices per state, devices buffered, next batch cut
  --device D                one device: state, site, batch, activation id, timestamps, last error
  --batch B                 one batch: state, activation, expiry, attempts, devices per state
  --json                    print the API's JSON instead of tables
${API_CONNECTION_USAGE}

Exit code 1 when something asked for is not found or the API cannot be reached.`;

const dash = (v: string | number | null | undefined): string => (v === null || v === undefined || v === '' ? '-' : String(v));

function keyValues(rows: [string, string | number | null | undefined][]): string {
  return renderTable(
    [{ header: 'field' }, { header: 'value' }],
    rows.map(([k, v]) => [k, dash(v)]),
  );
}

function countsTable(counts: Readonly<Partial<Record<string, number>>>): string {
  return renderTable(
    DEVICE_STATES.map((s) => ({ header: s, align: 'right' as const })),
    [DEVICE_STATES.map((s) => counts[s] ?? 0)],
  );
}

function deviceText(d: DeviceView): string {
  const stamps = DEVICE_STATES.filter((s) => d.timestamps[s] !== undefined).map((s): [string, string] => [`  ${s} at`, d.timestamps[s]!]);
  return keyValues([
    ['device', d.deviceId],
    ['site', d.siteId],
    ['thing', d.thingName],
    ['state', d.state],
    ['batch', d.batchId],
    ['activation id', d.activationId],
    ['managed node', d.managedNodeId],
    ['re-batched', d.rebatches],
    ['updated', d.updatedAt],
    ['error', d.error],
    ...stamps,
  ]);
}

function siteText(s: SiteView): string {
  return keyValues([
    ['site', s.siteId],
    ['buffered', s.buffered],
    ['next cut', s.nextCutAt],
    ...(s.nodeQuota ? [['node quota', nodeQuotaText(s.nodeQuota)] as [string, string]] : []),
  ]) + '\n' + countsTable(s.counts);
}

/** e.g. "us-east-1: 1000 (account, standard tier): 700 free of 300 nodes registered, read 2026-…" */
function nodeQuotaText(q: NodeQuotaView): string {
  const total = q.quota === null ? 'unlimited' : String(q.quota);
  if (q.source === 'sites-file') return `${q.region}: ${total} (sites file)`;
  if (q.readAt === null) return `${q.region}: from the account, not read yet${q.error ? ` (${q.error})` : ''}`;
  const detail = q.tier === 'advanced' ? '' : `: ${q.room ?? 0} free, ${q.accountNodes ?? 0} nodes in the Region`;
  return `${q.region}: ${total} (account, ${q.tier} tier)${detail}, read ${q.readAt}${q.error ? `; last reading failed: ${q.error}` : ''}`;
}

function batchText(b: BatchView): string {
  return (
    keyValues([
      ['batch', b.batchId],
      ['site', b.siteId],
      ['region', b.region],
      ['state', b.blockedReason ? `${b.state} (${b.blockedReason})` : b.state],
      ['size', b.size],
      ['activation id', b.activationId],
      ['expires', b.expiresAt],
      ['attempts', b.attempts],
      ['strays', b.strays],
      ['created', b.createdAt],
      ['error', b.error],
    ]) +
    '\n' +
    countsTable(b.counts)
  );
}

function sitesText(sites: readonly SiteView[]): string {
  if (sites.length === 0) return 'no sites configured (or none this token may read)\n';
  const total = Object.fromEntries(DEVICE_STATES.map((s) => [s, 0])) as Record<string, number>;
  let buffered = 0;
  const rows: TableCell[][] = sites.map((site) => {
    for (const s of DEVICE_STATES) total[s]! += site.counts[s] ?? 0;
    buffered += site.buffered;
    return [site.siteId, ...DEVICE_STATES.map((s) => site.counts[s] ?? 0), site.buffered, dash(site.nextCutAt)];
  });
  if (sites.length > 1) rows.push(['total', ...DEVICE_STATES.map((s) => total[s]!), buffered, '']);
  return renderTable(
    [{ header: 'site' }, ...DEVICE_STATES.map((s) => ({ header: s, align: 'right' as const })), { header: 'buffered', align: 'right' }, { header: 'next cut' }],
    rows,
  );
}

export function statusCommandWith(fetchImpl?: FetchLike): Command {
  return {
    name: 'status',
    summary: 'where things stand: sites, a device, a batch',
    usage,
    async run(argv: readonly string[], io: CliIo): Promise<number> {
      const values = parseFlags(argv, {
        site: { type: 'string' },
        device: { type: 'string' },
        batch: { type: 'string' },
        json: { type: 'boolean', default: false },
        ...API_CONNECTION_OPTIONS,
      });
      for (const flag of ['site', 'device', 'batch'] as const) {
        if (values[flag] !== undefined && values[flag].trim() === '') throw new UsageError(`--${flag}: is empty`);
      }
      const client = apiClientFrom(values, fetchImpl);
      const json: Record<string, unknown> = {};
      const text: string[] = [];
      if (values.device !== undefined) {
        const d = await client.device(values.device);
        json['device'] = d;
        text.push(deviceText(d));
      }
      if (values.batch !== undefined) {
        const b = await client.batch(values.batch);
        json['batch'] = b;
        text.push(batchText(b));
      }
      if (values.site !== undefined) {
        const s = await client.site(values.site);
        json['site'] = s;
        text.push(siteText(s));
      }
      if (text.length === 0) {
        const sites = await client.sites();
        json['sites'] = sites;
        text.push(sitesText(sites));
      }
      if (values.json) {
        const keys = Object.keys(json);
        // one thing asked → that view itself; several → keyed by what they are
        io.stdout.write(JSON.stringify(keys.length === 1 && keys[0] !== 'sites' ? json[keys[0]!] : json) + '\n');
      } else {
        io.stdout.write(text.join('\n'));
      }
      return 0;
    },
  };
}

export const statusCommand = statusCommandWith();
