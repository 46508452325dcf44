/**
 * Entry point of a simulator child process (forked by DeviceSimulatorProcess): runs a DeviceSimulator and
 * reports to the parent in batches, so the devices' MQTT and HTTP work runs on a core of its own.
 */
import { DeviceSimulator } from './device-simulator.js';
import type { ChildMessage, DeliveryTuple, EventBatch, ParentMessage } from './simulator-wire.js';

const FLUSH_MS = 100;
const FLUSH_EVENTS = 2000;

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => (process.send ? process.send(message, undefined, undefined, () => resolve()) : resolve()));
}

let simulator: DeviceSimulator | undefined;
let batch: Omit<EventBatch, 'counters' | 'inFlight'> = { type: 'events', credentials: [], registered: [], acked: [], failures: [] };
let pending = 0;
let timer: NodeJS.Timeout | undefined;

async function flush(): Promise<void> {
  if (timer) clearTimeout(timer);
  timer = undefined;
  if (!simulator) return;
  const out: EventBatch = { ...batch, counters: { ...simulator.counters }, inFlight: simulator.inFlight };
  batch = { type: 'events', credentials: [], registered: [], acked: [], failures: [] };
  pending = 0;
  await send(out);
}

function queued(): void {
  if (++pending >= FLUSH_EVENTS) void flush();
  else timer ??= setTimeout(() => void flush(), FLUSH_MS);
}

const tuple = (d: { siteId: string; thingName: string; deviceId: string; deliveryId: string; receivedAt: number }): DeliveryTuple => [
  d.siteId,
  d.thingName,
  d.deviceId,
  d.deliveryId,
  d.receivedAt,
];

process.on('message', (message: ParentMessage) => {
  if (message.type === 'start') {
    const sim = new DeviceSimulator(message.options);
    sim.on('credentials', (d) => (batch.credentials.push(tuple(d)), queued()));
    sim.on('registered', (d) => (batch.registered.push([...tuple(d), d.managedNodeId, d.at]), queued()));
    sim.on('acked', (d) => (batch.acked.push([...tuple(d), d.status, d.at]), queued()));
    sim.on('failure', (f) => (batch.failures.push(f), queued()));
    simulator = sim;
    sim.start().then(
      () => send({ type: 'started' }),
      (err: unknown) => send({ type: 'start-failed', error: err instanceof Error ? err.message : String(err) }).then(() => process.exit(1)),
    );
  } else if (message.type === 'stop') {
    void (async () => {
      await simulator?.stop();
      await flush();
      await send({ type: 'stopped' });
      process.exit(0);
    })();
  }
});
// the parent went away: nothing left to report to
process.on('disconnect', () => process.exit(0));
