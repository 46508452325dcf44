// Failed devices of every site this token may read, with their reasons and re-drive buttons.
import { listAll } from './api.js';
import { h, link, table, time } from './dom.js';

export async function failedView(_params, ctx) {
  const failed = await listAll('/v1/devices?state=failed', 2000);
  const rows = failed.items.map((d) => [
    link(`#/device/${encodeURIComponent(d.deviceId)}`, d.deviceId),
    link(`#/site/${encodeURIComponent(d.siteId)}`, d.siteId),
    d.error ?? '—',
    d.batchId ?? '—',
    time(d.timestamps.failed),
  ]);
  return h(
    'section',
    { 'aria-labelledby': 'failed-title' },
    h('h1', { id: 'failed-title' }, 'Failed devices'),
    ctx.isAdmin && rows.length > 0 ? h('p', {}, ctx.redriveButton('Re-drive every failed device', '/v1/retry-failed', 'Re-drive all failed')) : '',
    table('Failed devices', ['Device', 'Site', 'Reason', 'Batch', 'Failed at'], rows, 'none.'),
    failed.more ? h('p', { class: 'note' }, 'Showing the first 2,000.') : '',
  );
}
