/**
 * The DeviceSimulator in a child process, with the same surface (start, stop, counters, inFlight, events),
 * so a demo on two cores can give the simulated devices one of them. Events arrive in batches every
 * ~100 ms; `counters` is the child's as of the last batch.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { DeviceSimulatorEvents, SimulatedDelivery, SimulatorCounters } from './device-simulator.js';
import type { ChildMessage, DeliveryTuple, RemoteSimulatorOptions } from './simulator-wire.js';

export interface DeviceSimulatorProcessEvents extends DeviceSimulatorEvents {
  /** the child ended (after stop(), or on its own: then with a non-zero code or a signal) */
  exit: [code: number | null, signal: NodeJS.Signals | null];
}

const CHILD = new URL('./simulator-child.ts', import.meta.url);

const delivery = (t: DeliveryTuple): SimulatedDelivery => ({ siteId: t[0], thingName: t[1], deviceId: t[2], deliveryId: t[3], receivedAt: t[4] });

export class DeviceSimulatorProcess extends EventEmitter<DeviceSimulatorProcessEvents> {
  private child: ChildProcess | undefined;
  private snapshot: SimulatorCounters = { credentials: 0, redeliveries: 0, registered: 0, ackedRegistered: 0, ackedFailed: 0, ackRepeats: 0, failures: 0, cleared: 0 };
  private inFlightCount = 0;

  constructor(private readonly options: RemoteSimulatorOptions) {
    super();
  }

  get counters(): Readonly<SimulatorCounters> {
    return this.snapshot;
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  /** the child's process id while it runs (the benchmarks read its CPU time) */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Forks the child (TypeScript through tsx, like the CLI), connects and subscribes its devices. */
  start(): Promise<void> {
    const child = fork(CHILD, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    this.child = child;
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'events') this.dispatch(m);
    });
    child.on('exit', (code, signal) => {
      this.child = undefined;
      this.emit('exit', code, signal);
    });
    return new Promise((resolve, reject) => {
      const onMessage = (m: ChildMessage): void => {
        if (m.type === 'started') done(resolve);
        else if (m.type === 'start-failed') done(() => reject(new Error(`device simulator did not start: ${m.error}`)));
      };
      const onExit = (code: number | null): void => done(() => reject(new Error(`device simulator process exited (${code}) before it started`)));
      const done = (then: () => void): void => {
        child.off('message', onMessage);
        child.off('exit', onExit);
        then();
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ type: 'start', options: this.options });
    });
  }

  /** Disconnects the devices, delivers the last events, and waits for the child to end. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.send({ type: 'stop' });
    await exited;
  }

  private dispatch(batch: Extract<ChildMessage, { type: 'events' }>): void {
    this.snapshot = batch.counters;
    this.inFlightCount = batch.inFlight;
    for (const t of batch.credentials) this.emit('credentials', delivery(t));
    for (const t of batch.registered) this.emit('registered', { ...delivery([t[0], t[1], t[2], t[3], t[4]]), managedNodeId: t[5], at: t[6] });
    for (const t of batch.acked) this.emit('acked', { ...delivery([t[0], t[1], t[2], t[3], t[4]]), status: t[5], at: t[6] });
    for (const f of batch.failures) this.emit('failure', f);
  }
}
