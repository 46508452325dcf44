/**
 * Role ack (MQTT side): every message on the ack topics goes to the AckService. Without FLEET_ACK_MQTT_URL
 * acks arrive through POST /v1/acks only (the api role).
 */
import { MqttAckSubscriber, type AckSubscriber } from '../adapters/ack-subscriber.js';
import { topicFilter } from '../domain/topics.js';
import type { AckService } from '../services/ack-service.js';
import { AckSessionSlot } from './ack-session-slot.js';
import type { PipelineContext, RunningRole } from './pipeline-context.js';

/** how long the broker keeps the acks of an ack process that is away (then redelivery covers them) */
const ACK_SESSION_EXPIRY_S = 3_600;

export async function startAckListener(subscriber: AckSubscriber, acks: AckService): Promise<AckSubscriber> {
  await subscriber.start(async (topic, payload) => {
    await acks.fromMqtt(topic, payload);
  });
  return subscriber;
}

export async function startAck(ctx: PipelineContext): Promise<RunningRole | undefined> {
  const { config, logger } = ctx;
  if (!config.ackMqttUrl) {
    logger.info('FLEET_ACK_MQTT_URL not set: acks arrive through POST /v1/acks only');
    return undefined;
  }
  const filter = topicFilter(config.topics.ack);
  // a persistent MQTT session per ack process: acks published while it is down wait at the broker
  const slot = await AckSessionSlot.claim(ctx.redis, ctx.keys, ctx.scripts, filter, {
    onLost: () => logger.warn('ack session slot lease lost; another ack process may use the same MQTT client id'),
  });
  const subscriber = new MqttAckSubscriber(
    config.ackMqttUrl,
    filter,
    (err) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'ack subscriber'),
    { clientId: slot.clientId, expirySeconds: ACK_SESSION_EXPIRY_S },
  );
  await startAckListener(subscriber, ctx.acks);
  return {
    stop: async () => {
      await subscriber.close();
      await slot.release().catch(() => undefined);
    },
  };
}
