/**
 * Retained messages on a real broker, read the way a fresh subscriber gets them. No fixed wait: after the
 * subscription is acknowledged the reader publishes an empty marker on a topic (unique to the caller) that its
 * own filter matches; the broker sends the retained messages on subscribe, before anything published after it,
 * so the marker's arrival means every retained message has been seen.
 */
import mqtt from 'mqtt';

export interface RetainedMessage {
  readonly topic: string;
  readonly payload: Buffer;
}

/** Retained (non-empty) messages matching `filter`; `markerTopic` must match `filter` too. */
export async function readRetained(url: string, filter: string, markerTopic: string, timeoutMs = 10_000): Promise<RetainedMessage[]> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, clean: true, reconnectPeriod: 0 });
  try {
    const found: RetainedMessage[] = [];
    let done: () => void = () => undefined;
    const seen = new Promise<void>((resolve) => (done = resolve));
    client.on('message', (topic, payload, packet) => {
      if (topic === markerTopic && !packet.retain) done();
      else if (packet.retain && payload.length > 0) found.push({ topic, payload });
    });
    // QoS 0: a broker queues at most so many QoS 1 messages per client (Mosquitto: 1,000) and drops the rest,
    // the marker with them, when more retained messages than that match
    await client.subscribeAsync(filter, { qos: 0 });
    // empty and not retained: whoever else listens there (an observer, a device) ignores it, as it does a clear
    await client.publishAsync(markerTopic, '', { qos: 1, retain: false });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`retained read of ${filter}: marker not back in ${timeoutMs} ms`)), timeoutMs)));
    try {
      await Promise.race([seen, late]);
    } finally {
      clearTimeout(timer);
    }
    return found;
  } finally {
    await client.endAsync();
  }
}

/** Clears each topic's retained message (an empty retained publish). */
export async function clearRetained(url: string, topics: readonly string[]): Promise<void> {
  if (topics.length === 0) return;
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, clean: true, reconnectPeriod: 0 });
  try {
    await Promise.all(topics.map((t) => client.publishAsync(t, '', { qos: 1, retain: true })));
  } finally {
    await client.endAsync();
  }
}
