/**
 * AWS IoT data plane: Publish (qos, retain, messageExpiry) onto the MQTT broker, and
 * GetRetainedMessage. Limits are AWS IoT's: 128 KB payloads, topics of at most 256 bytes and
 * 7 slashes, no wildcards, QoS 0 or 1. HTTP (`publish`, the query string) and MQTT over WebSocket
 * (`publishMessage`, the PUBLISH packet's fields) share one publish: the same checks, cap and store.
 */
import { AwsError } from '../aws-error.js';
import type { MqttSink } from './mqtt-sink.js';
import type { RetainedMessages } from './retained-messages.js';

export interface PublishRequest {
  readonly topic: string;
  readonly query: URLSearchParams;
  readonly payload: Buffer;
}

/** A publish, whichever door it came in by. */
export interface PublishFields {
  readonly topic: string;
  readonly qos: 0 | 1;
  readonly retain: boolean;
  /** as asked (uncapped); undefined: no expiry */
  readonly expirySeconds: number | undefined;
  readonly payload: Buffer;
}

export const MAX_PAYLOAD_BYTES = 128 * 1024;
/** AWS IoT keeps an MQTT 5 message at most 7 days, whatever expiry it was published with */
export const MAX_MESSAGE_EXPIRY_SECONDS = 604_800;

export class IotDataService {
  constructor(
    private readonly sink: MqttSink,
    private readonly retained: RetainedMessages,
    private readonly now: () => number,
    /** the cap on message expiry; shorter in tests that watch a message outlive it */
    private readonly maxExpirySeconds = MAX_MESSAGE_EXPIRY_SECONDS,
  ) {}

  async publish({ topic, query, payload }: PublishRequest): Promise<void> {
    const qos = parseQos(query.get('qos'));
    const retain = parseBoolean(query.get('retain'), 'retain');
    await this.publishMessage({ topic, qos, retain, expirySeconds: parseExpiry(query.get('messageExpiry')), payload });
  }

  /** Topic and size checked (InvalidRequestException, RequestEntityTooLargeException), expiry capped, then out to the broker. */
  async publishMessage({ topic, qos, retain, expirySeconds: asked, payload }: PublishFields): Promise<void> {
    checkTopic(topic);
    const expirySeconds = asked === undefined ? undefined : Math.min(asked, this.maxExpirySeconds);
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new AwsError('RequestEntityTooLargeException', `The payload is ${payload.length} bytes; the limit is ${MAX_PAYLOAD_BYTES} bytes (128 KB).`, 413);
    }
    await this.sink.publish({ topic, payload, qos, retain, expirySeconds });
    if (retain) {
      const now = this.now();
      this.retained.put(topic, { payload, qos, lastModified: now, expiresAt: expirySeconds === undefined ? undefined : now + expirySeconds * 1000 });
    }
  }

  getRetained(topic: string): Record<string, unknown> {
    checkTopic(topic);
    const message = this.retained.get(topic);
    if (message === undefined) throw new AwsError('ResourceNotFoundException', `No retained message on topic '${topic}'.`, 404);
    return { topic, payload: message.payload.toString('base64'), qos: message.qos, lastModifiedTime: message.lastModified };
  }
}

function checkTopic(topic: string): void {
  if (topic.length === 0) throw new AwsError('InvalidRequestException', 'topic: must not be empty');
  if (Buffer.byteLength(topic) > 256) throw new AwsError('InvalidRequestException', `topic: must be at most 256 bytes, got ${Buffer.byteLength(topic)}`);
  if ((topic.match(/\//g)?.length ?? 0) > 7) throw new AwsError('InvalidRequestException', `topic '${topic}': at most 7 forward slashes are allowed`);
  if (/[#+]/.test(topic)) throw new AwsError('InvalidRequestException', `topic '${topic}': wildcards (+, #) are not allowed in a publish topic`);
  if (topic.startsWith('$')) throw new AwsError('InvalidRequestException', `topic '${topic}': reserved topics ($…) are not emulated`);
}

function parseQos(raw: string | null): 0 | 1 {
  if (raw === null || raw === '0') return 0;
  if (raw === '1') return 1;
  throw new AwsError('InvalidRequestException', `qos: must be 0 or 1, got '${raw}'`);
}

function parseBoolean(raw: string | null, name: string): boolean {
  if (raw === null || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new AwsError('InvalidRequestException', `${name}: must be true or false, got '${raw}'`);
}

function parseExpiry(raw: string | null): number | undefined {
  if (raw === null) return undefined;
  if (!/^\d{1,10}$/.test(raw) || Number(raw) > 0xffffffff) {
    throw new AwsError('InvalidRequestException', `messageExpiry: must be a whole number of seconds (0–4294967295), got '${raw}'`);
  }
  // 0 is read as "no expiry": an MQTT 5 interval of 0 would make the message unusable on arrival
  return Number(raw) === 0 ? undefined : Number(raw);
}
