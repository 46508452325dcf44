/**
 * What a simulator child process sends its parent over IPC: events in batches of compact tuples (one IPC
 * message per flush, not per device) and the counters as they stood at the flush.
 */
import type { AckMessage } from '../../domain/messages.js';
import type { DeviceSimulatorOptions, SimulatorCounters } from './device-simulator.js';

/** siteId, thingName, deviceId, deliveryId, receivedAt */
export type DeliveryTuple = [string, string, string, string, number];

export interface EventBatch {
  readonly type: 'events';
  readonly credentials: DeliveryTuple[];
  /** delivery + managedNodeId, at */
  readonly registered: [...DeliveryTuple, string, number][];
  /** delivery + status, at */
  readonly acked: [...DeliveryTuple, AckMessage['status'], number][];
  readonly failures: { thingName: string; siteId: string; deliveryId?: string; error: string }[];
  readonly counters: SimulatorCounters;
  readonly inFlight: number;
}

export type ChildMessage = EventBatch | { readonly type: 'started' } | { readonly type: 'start-failed'; readonly error: string } | { readonly type: 'stopped' };

/** Options that cross the process boundary: everything but functions. */
export type RemoteSimulatorOptions = Omit<DeviceSimulatorOptions, 'now'>;

export type ParentMessage = { readonly type: 'start'; readonly options: RemoteSimulatorOptions } | { readonly type: 'stop' };
