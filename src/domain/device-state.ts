/**
 * Device states, in pipeline order (docs/CONTRACT.md "Device states"), and the moves between them.
 *
 *   accepted → batched → activated → delivered → acked → registered
 *
 * - back to `accepted`: a batch that expired or failed puts its unregistered devices back in the
 *   site buffer (batched/activated/delivered/acked → accepted), and `failed → accepted` is a retry.
 * - `failed → batched`: re-driving a failed batch (`failed → open`) takes its devices back in place.
 * - `activated → acked`: a device's ack may overtake the `delivered` mark (the delivery worker
 *   published, then died before writing it); the ack is still the device's current delivery.
 * - any state but `registered` → `failed`, with a reason.
 * - `registered → accepted` only by re-enrolment (`reenroll: true`): a registered device is done.
 */
import { StateMachine } from './state-machine.js';

export const DEVICE_STATES = ['accepted', 'batched', 'activated', 'delivered', 'acked', 'registered', 'failed'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

/** Terminal states: a device here is no longer in flight and may be enrolled again. */
export function isTerminalDeviceState(state: DeviceState): boolean {
  return state === 'registered' || state === 'failed';
}

export const deviceStateMachine = new StateMachine<DeviceState>('device', {
  accepted: ['batched', 'failed'],
  batched: ['activated', 'accepted', 'failed'],
  activated: ['delivered', 'acked', 'accepted', 'failed'],
  delivered: ['acked', 'accepted', 'failed'],
  acked: ['registered', 'accepted', 'failed'],
  registered: [],
  failed: ['accepted', 'batched'],
});

/** Moves that only a re-enrolment (`reenroll: true`) may make. */
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
