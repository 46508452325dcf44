/**
 * The ack path's rows of an enrollment scenario's table (#12, "the ack path keeps up with a burst"): the
 * broker, the acks the devices published, the acks the orchestrator took, and what the broker dropped.
 */
import type { RunSummary } from '../../src/cli/demo/enrollment-run.js';
import type { Row } from '../result-file.js';
import type { BrokerFigures } from './enrollment.js';

/** aedes 1.2 (lib/client.js, lib/write.js): no in-flight window or queue limit to overflow, only back-pressure */
const AEDES_DROPS =
  'aedes does not drop QoS 1 to connected clients — it writes each one to the socket and, when the socket buffer is full, waits for it to drain; ' +
  'a client that has not drained within drainTimeout (60 s) is disconnected instead, its unacknowledged messages then lost with its clean session';

const fmt = (n: number): string => n.toLocaleString('en-US');

export function ackPathRows(acks: RunSummary['details']['acks'], broker: BrokerFigures): Row[] {
  const published = acks.published.first + acks.published.repeats;
  const received = Object.values(acks.received).reduce((a, b) => a + b, 0);
  const verdicts = Object.entries(acks.received)
    .sort(([, a], [, b]) => b - a)
    .map(([result, n]) => `${result} ${fmt(n)}`)
    .join(', ');
  const missing = published - received;
  const rows: Row[] = [
    broker.kind === 'mosquitto'
      ? ['MQTT broker', 'mosquitto', `a private ${broker.version ?? 'Mosquitto'} started by the bench, default per-client limits: max_queued_messages 1,000 beyond those in flight, max_inflight_messages 20 unless an MQTT 5 client's Receive Maximum says otherwise (the ack role asks for 65,535; the devices speak MQTT 3.1.1)`]
      : ['MQTT broker', 'embedded', "the emulator's aedes"],
    ['acks published (devices)', published, `first ${fmt(acks.published.first)}, repeats ${fmt(acks.published.repeats)} (answering a redelivery); counted by the device simulator at PUBACK`],
    [
      'acks received (orchestrator)',
      received,
      `${verdicts || 'none'} (the ack role's fleet_acks_total, source mqtt); ` +
        (missing === 0 ? 'every ack published was received' : `${fmt(Math.abs(missing))} ${missing > 0 ? 'fewer than published' : 'more than published'}`),
    ],
  ];
  if (broker.kind === 'embedded') {
    rows.push(['dropped by the broker', 'n/a', AEDES_DROPS]);
    return rows;
  }
  const { dropped, received: inbound, sent } = broker.sys;
  rows.push([
    'dropped by the broker',
    dropped,
    `$SYS/broker/publish/messages/dropped, end − start, every topic (credentials, clears and acks alike: a client's queue over max_queued_messages); ` +
      `publishes received ${fmt(inbound)} (Mosquitto leaves retained ones out of this count, so: the devices' acks, not the retained credentials and clears), ` +
      `sent ${fmt(sent - broker.sysReaderMessages)} (credentials and clears to the devices, each ack to the ack role's live and session clients; less the bench's own ${fmt(broker.sysReaderMessages)} $SYS messages)`,
  ]);
  return rows;
}
