/** Role ack (MQTT side): every message on the ack topics goes to the AckService. */
import type { AckSubscriber } from '../adapters/ack-subscriber.js';
import type { AckService } from '../services/ack-service.js';

export async function startAckListener(subscriber: AckSubscriber, acks: AckService): Promise<AckSubscriber> {
  await subscriber.start(async (topic, payload) => {
    await acks.fromMqtt(topic, payload);
  });
  return subscriber;
}
