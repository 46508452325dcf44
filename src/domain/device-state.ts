/**
 * Device states, in pipeline order (docs/CONTRACT.md "Device states"), and the moves between them.
 *
 *   accepted → batched → activated → delivered → acked → registered
 *
 * - a record starts `accepted` (intake), or `failed` (intake for a site no longer configured). Re-enrolment
 *   replaces the record (the old one goes to the device's history): a new record, `accepted`, whatever the
 *   old one's state — for a registered device only with `reenroll: true`.
 * - back to `accepted`: a batch that expired puts its unregistered devices back in the site buffer
 *   (activated/delivered/acked → accepted; an active batch has no `batched` device left), and
 *   `failed → accepted` is a re-drive: the device goes into a new batch (its failed batch stays `failed`).
 * - `activated → acked`: a device's ack may overtake the `delivered` mark (the delivery worker
 *   published, then died before writing it); the ack is still the device's current delivery.
 * - `→ failed`, with a reason: a batch that failed (its devices are `batched`: it never had an activation),
 *   or one that expired once too often (activated/delivered/acked).
 */
import { StateMachine } from './state-machine.js';

export const DEVICE_STATES = ['accepted', 'batched', 'activated', 'delivered', 'acked', 'registered', 'failed'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

/** Terminal states: a device here is no longer in flight and may be enrolled again. */
export function isTerminalDeviceState(state: DeviceState): boolean {
  return state === 'registered' || state === 'failed';
}

export const deviceStateMachine = new StateMachine<DeviceState>('device', {
  accepted: ['batched'],
  batched: ['activated', 'failed'],
  activated: ['delivered', 'acked', 'accepted', 'failed'],
  delivered: ['acked', 'accepted', 'failed'],
  acked: ['registered', 'accepted', 'failed'],
  registered: [],
  failed: ['accepted'],
}, ['accepted', 'failed']);

/** Moves that only a re-enrolment (`reenroll: true`) may make (by replacing the record: the intake script). */
const REENROLL_ONLY: ReadonlySet<string> = new Set(['registered→accepted']);

export interface DeviceTransitionOptions {
  /** the event asked for re-enrolment: a registered device may start over */
  readonly reenroll?: boolean;
}

export function canDeviceTransition(from: DeviceState, to: DeviceState, options: DeviceTransitionOptions = {}): boolean {
  if (options.reenroll === true && REENROLL_ONLY.has(`${from}→${to}`)) return true;
  return deviceStateMachine.canTransition(from, to);
}

export function assertDeviceTransition(from: DeviceState, to: DeviceState, options: DeviceTransitionOptions = {}): void {
  if (!canDeviceTransition(from, to, options)) deviceStateMachine.assertTransition(from, to);
}
