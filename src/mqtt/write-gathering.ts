/**
 * An mqtt.js client's packets written together: from the first packet it sends, the socket stays corked for
 * `ms`, and what it sent meanwhile goes out in one write. mqtt.js writes every packet on its own (a PUBACK per
 * message received, a PUBLISH per message sent), and on loopback each write is a system call that also runs
 * the receiver's TCP path: for a burst of acks that was a tenth of the ack role's CPU. Safe for QoS 1: a
 * PUBACK that goes later only keeps its message in the broker's flight window a little longer.
 * From DISCONNECT on, nothing is held: mqtt.js ends the socket once DISCONNECT is written, and a PUBACK held
 * back past that would be a write after end.
 * Here, beside the domain (like src/lua), because two programs use it: the orchestrator's ack subscriber
 * (src/adapters) and the device side's links (src/device), which share nothing else but the domain.
 */
import type { MqttClient } from 'mqtt';

export function gatherWrites(client: MqttClient, ms: number): void {
  let corked: MqttClient['stream'] | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closing = false;
  const flush = (): void => {
    clearTimeout(timer);
    const stream = corked;
    corked = undefined;
    stream?.uncork();
  };
  client.on('packetsend', (packet) => {
    if (packet.cmd === 'disconnect') closing = true;
    if (closing) return flush();
    if (corked) return;
    corked = client.stream;
    corked.cork();
    timer = setTimeout(flush, ms);
    timer.unref();
  });
  client.on('close', flush);
  client.on('connect', () => {
    closing = false;
  });
}
