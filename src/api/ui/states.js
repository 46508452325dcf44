// Device states in pipeline order, and the stacked bar of a site's counts.
import { h, number } from './dom.js';

export const DEVICE_STATES = ['accepted', 'batched', 'activated', 'delivered', 'acked', 'registered', 'failed'];
export const IN_FLIGHT = ['accepted', 'batched', 'activated', 'delivered', 'acked'];

export function total(counts) {
  return DEVICE_STATES.reduce((n, s) => n + (counts[s] ?? 0), 0);
}

export function inFlight(counts) {
  return IN_FLIGHT.reduce((n, s) => n + (counts[s] ?? 0), 0);
}

/** One bar, a segment per state; its text alternative lists every count. */
export function stackedBar(counts) {
  const all = total(counts);
  const label = all === 0 ? 'no devices' : DEVICE_STATES.filter((s) => counts[s]).map((s) => `${s} ${number(counts[s])}`).join(', ');
  return h(
    'div',
    { class: 'bar', role: 'img', 'aria-label': label, title: label },
    all === 0
      ? []
      : DEVICE_STATES.filter((s) => counts[s]).map((s) => h('span', { class: `seg st-${s}`, style: { width: `${((counts[s] / all) * 100).toFixed(2)}%` } })),
  );
}

export function legend() {
  return h('ul', { class: 'legend', 'aria-label': 'Legend' }, DEVICE_STATES.map((s) => h('li', {}, h('span', { class: `swatch st-${s}`, 'aria-hidden': 'true' }), s)));
}
