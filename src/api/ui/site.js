// One site: its counts, batches (state, size, activation id, expiry, registered/left) and failed devices.
import { get, listAll } from './api.js';
import { h, link, number, table, time } from './dom.js';
import { legend, stackedBar } from './states.js';
import { pace } from './overview.js';
import { duration } from './dom.js';

export async function siteView({ siteId }, ctx) {
  const q = encodeURIComponent(siteId);
  const [o, batches, failed] = await Promise.all([get(`/v1/overview?siteId=${q}`), listAll(`/v1/batches?siteId=${q}`, 1000), listAll(`/v1/devices?siteId=${q}&state=failed`, 1000)]);
  const s = o.sites[0];
  const p = pace(s, o.windowMs);
  const batchRows = [...batches.items].reverse().map((b) => [
    b.batchId,
    h('span', { class: `badge b-${b.state}` }, b.state),
    b.state === 'blocked' ? (b.blockedReason ?? '—') : (b.error ?? '—'),
    number(b.size),
    b.activationId ?? '—',
    time(b.expiresAt),
    `${number(b.registered)} / ${number(b.left)}`,
    time(b.createdAt),
    ctx.isAdmin && b.state === 'failed' ? ctx.redriveButton(`Re-drive batch ${b.batchId}`, `/v1/batches/${encodeURIComponent(b.batchId)}/retry`, 'Re-drive') : '',
  ]);
  const failedRows = failed.items.map((d) => [link(`#/device/${encodeURIComponent(d.deviceId)}`, d.deviceId), d.error ?? '—', d.batchId ?? '—', time(d.timestamps.failed)]);
  return h(
    'section',
    { 'aria-labelledby': 'site-title' },
    h('h1', { id: 'site-title' }, `Site ${siteId}`),
    legend(),
    stackedBar(s.counts),
    h(
      'dl',
      { class: 'facts' },
      ...fact('Buffered', `${number(s.buffered)}${s.nextCutAt ? ` (next cut ${new Date(s.nextCutAt).toLocaleTimeString()})` : ''}`),
      ...fact('Registered', number(s.counts.registered)),
      ...fact('Failed', number(s.counts.failed)),
      ...fact('Pace', `${number(Math.round(p.perMinute))}/min`),
      ...fact('Time left', p.timeLeftMs === 0 ? 'done' : duration(p.timeLeftMs)),
      ...fact('Node quota', quotaText(s.nodeQuota)),
      ...fact('Expired records', `${number(s.expired.registered)} registered, ${number(s.expired.failed)} failed`),
    ),
    ctx.isAdmin && s.counts.failed > 0 ? h('p', {}, ctx.redriveButton(`Re-drive every failed device of site ${siteId}`, `/v1/sites/${q}/retry`)) : '',
    table('Batches', ['Batch', 'State', 'Reason / error', 'Size', 'Activation id', 'Expires', 'Registered / left', 'Cut', 'Action'], batchRows, 'none yet.'),
    batches.more ? h('p', { class: 'note' }, 'Showing the first 1,000 batches.') : '',
    table('Failed devices', ['Device', 'Reason', 'Batch', 'Failed at'], failedRows, 'none.'),
  );
}

/** the Region's managed-node room and where it comes from: the sites file or the account's activation tier */
function quotaText(q) {
  if (!q) return '—';
  // a configured quota is a total; an account reading also says how much room is left
  const room = q.source === 'account' && q.room !== null ? `${number(q.room)} left of ${number(q.quota)}` : q.quota === null ? 'unlimited' : `${number(q.quota)} nodes`;
  const source = q.source === 'account' ? `read from the account (${q.tier ?? 'tier unknown'} tier${q.readAt ? `, ${new Date(q.readAt).toLocaleTimeString()}` : ''})` : 'from the sites file';
  return `${q.region}: ${room}, ${source}${q.error ? ` — last reading failed: ${q.error}` : ''}`;
}

function fact(term, value) {
  return [h('dt', {}, term), h('dd', {}, value)];
}
