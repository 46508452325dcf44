/** The device simulator used by `fleet-enroll demo` and by tests: in-process, or in a child process of its own. */
export { DeviceSimulator } from './device-simulator.js';
export type { DeviceSimulatorEvents, DeviceSimulatorOptions, SimulatedDelivery, SimulatorCounters } from './device-simulator.js';
export { DeviceSimulatorProcess, type DeviceSimulatorProcessEvents } from './device-simulator-process.js';
export type { RemoteSimulatorOptions } from './simulator-wire.js';
export type { DeviceBehaviour, MisbehaviourFractions } from './device-behaviour.js';
