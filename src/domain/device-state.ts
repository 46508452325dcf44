/** Device states, in pipeline order (DESIGN.md "Device states"). */
export const DEVICE_STATES = ['accepted', 'batched', 'activated', 'delivered', 'acked', 'registered', 'failed'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

/** Terminal states: a device here is no longer in flight and may be enrolled again. */
export const TERMINAL_DEVICE_STATES: readonly DeviceState[] = ['registered', 'failed'];

export function isTerminalDeviceState(state: DeviceState): boolean {
  return state === 'registered' || state === 'failed';
}
