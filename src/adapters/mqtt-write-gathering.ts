/**
 * An mqtt.js client's packets written together: from the first packet it sends, the socket stays corked for
 * `ms`, and what it sent meanwhile goes out in one write. mqtt.js writes every packet on its own (a PUBACK per
 * message received, a PUBLISH per message sent), and on loopback each write is a system call that also runs
 * the receiver's TCP path: for a burst of acks that was a tenth of the ack role's CPU. Safe for QoS 1: a
 * PUBACK that goes later only keeps its message in the broker's flight window a little longer.
 * The device side and the emulator keep copies (src/device, src/emulator): separate programs that share
 * only the domain.
 */
import type { MqttClient } from 'mqtt';

export function gatherWrites(client: MqttClient, ms: number): void {
  let corked = false;
  client.on('packetsend', () => {
    if (corked) return;
    const stream = client.stream;
    corked = true;
    stream.cork();
    setTimeout(() => {
      corked = false;
      stream.uncork();
    }, ms).unref();
  });
}
