/**
 * The embedded MQTT broker (aedes 1). aedes 1 speaks MQTT 3.1.1 only: it refuses MQTT 5 clients
 * and knows nothing of message expiry, so retained messages with an expiry are dropped by the
 * emulator itself (RetainedMessages' sweep calls `expireRetained`), straight from the broker's
 * retained store, so subscribers see nothing, as with an MQTT 5 broker's expiry.
 */
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import type { MqttSink, OutgoingMessage } from './mqtt-sink.js';

interface RetainedStore {
  storeRetained(packet: { cmd: 'publish'; topic: string; payload: Buffer; qos: 0; retain: true; dup: false }): Promise<void>;
}

export class EmbeddedBroker implements MqttSink {
  private constructor(
    private readonly broker: Aedes,
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(port = 0, host = '127.0.0.1'): Promise<EmbeddedBroker> {
    const broker = await Aedes.createBroker();
    const server = createServer(broker.handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address();
    const boundPort = typeof address === 'object' && address !== null ? address.port : port;
    return new EmbeddedBroker(broker, server, `mqtt://${host}:${boundPort}`);
  }

  publish(message: OutgoingMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      this.broker.publish(
        { cmd: 'publish', topic: message.topic, payload: message.payload, qos: message.qos, retain: message.retain, dup: false },
        (err?: Error) => (err ? reject(err) : resolve()),
      );
    });
  }

  async expireRetained(topic: string): Promise<void> {
    const store = (this.broker as unknown as { persistence: RetainedStore }).persistence;
    await store.storeRetained({ cmd: 'publish', topic, payload: Buffer.alloc(0), qos: 0, retain: true, dup: false });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      // MQTT clients keep their sockets open; the broker's close ends them, this catches stragglers
      (this.server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    });
  }
}
