// One device: its state timeline, batch, activation id (never the code), node id, last error.
import { get } from './api.js';
import { h, link, time } from './dom.js';
import { DEVICE_STATES } from './states.js';

export async function deviceView({ deviceId }, ctx) {
  let d;
  try {
    d = await get(`/v1/devices/${encodeURIComponent(deviceId)}`);
  } catch (err) {
    if (err.status === 404 || err.status === 400) return h('section', {}, h('h1', {}, `Device ${deviceId}`), h('p', { class: 'error' }, `No device "${deviceId}" (or not one of this token’s sites).`));
    throw err;
  }
  const reached = DEVICE_STATES.filter((s) => d.timestamps[s]).sort((a, b) => Date.parse(d.timestamps[a]) - Date.parse(d.timestamps[b]));
  return h(
    'section',
    { 'aria-labelledby': 'device-title' },
    h('h1', { id: 'device-title' }, `Device ${d.deviceId}`, ' ', h('span', { class: `badge st-${d.state}` }, d.state)),
    h(
      'dl',
      { class: 'facts' },
      ...fact('Site', link(`#/site/${encodeURIComponent(d.siteId)}`, d.siteId)),
      ...fact('Thing name', d.thingName),
      ...fact('Batch', d.batchId ?? '—'),
      ...fact('Activation id', d.activationId ?? '—'),
      ...fact('Managed node', d.managedNodeId ?? '—'),
      ...fact('Re-batched', String(d.rebatches)),
      ...fact('Last error', d.error ?? '—'),
      ...fact('Last change', time(d.updatedAt)),
    ),
    h('h2', {}, 'Timeline'),
    h('ol', { class: 'timeline' }, reached.map((s) => h('li', {}, h('span', { class: `swatch st-${s}`, 'aria-hidden': 'true' }), h('strong', {}, s), ' ', time(d.timestamps[s])))),
    ctx.isAdmin && d.state === 'failed' && d.batchId
      ? h('p', {}, ctx.redriveButton(`Re-drive batch ${d.batchId}`, `/v1/batches/${encodeURIComponent(d.batchId)}/retry`))
      : '',
  );
}

function fact(term, value) {
  return [h('dt', {}, term), h('dd', {}, value)];
}
