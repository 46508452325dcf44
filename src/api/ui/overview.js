// Fleet overview: every site with its counts, pace and time left; blocked batches with their reason.
import { get } from './api.js';
import { duration, h, link, number, table, time } from './dom.js';
import { inFlight, legend, stackedBar } from './states.js';

export function pace(site, windowMs) {
  const perMinute = (site.finishedInWindow / windowMs) * 60_000;
  const left = inFlight(site.counts);
  return { perMinute, timeLeftMs: left === 0 ? 0 : perMinute > 0 ? (left / perMinute) * 60_000 : Infinity };
}

export async function overviewView() {
  const o = await get('/v1/overview');
  const minutes = Math.round(o.windowMs / 60_000);
  const rows = o.sites.map((s) => {
    const p = pace(s, o.windowMs);
    return [
      link(`#/site/${encodeURIComponent(s.siteId)}`, s.siteId),
      stackedBar(s.counts),
      number(inFlight(s.counts)),
      number(s.counts.registered),
      number(s.counts.failed),
      number(s.buffered),
      s.nextCutAt ? time(s.nextCutAt) : '—',
      `${number(Math.round(p.perMinute))}/min`,
      p.timeLeftMs === 0 ? 'done' : duration(p.timeLeftMs),
      `${number(s.expired.registered)} / ${number(s.expired.failed)}`,
    ];
  });
  const blocked = o.blocked.map((b) => [b.batchId, link(`#/site/${encodeURIComponent(b.siteId)}`, b.siteId), b.blockedReason ?? '—', number(b.size), time(b.updatedAt)]);
  return h(
    'section',
    { 'aria-labelledby': 'overview-title' },
    h('h1', { id: 'overview-title' }, 'Fleet overview'),
    legend(),
    table(
      'Sites',
      ['Site', 'Devices by state', 'In flight', 'Registered', 'Failed', 'Buffered', 'Next cut', `Pace (last ${minutes} min)`, 'Time left', 'Expired (registered / failed)'],
      rows,
      'no sites this token may read.',
    ),
    h('h2', {}, 'Blocked batches'),
    table('Blocked batches', ['Batch', 'Site', 'Reason', 'Size', 'Since'], blocked, 'none.'),
    h('p', { class: 'note' }, `Counts are of the records held; finished records are deleted after the retention period and counted as expired. Updated ${new Date(o.generatedAt).toLocaleTimeString()}.`),
  );
}
