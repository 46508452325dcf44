/** The device simulator used by `fleet-enroll demo` and by tests. */
export { DeviceSimulator } from './device-simulator.js';
export type { DeviceSimulatorEvents, DeviceSimulatorOptions, SimulatedDelivery, SimulatorCounters } from './device-simulator.js';
export type { DeviceBehaviour, MisbehaviourFractions } from './device-behaviour.js';
