/** Where the IoT data plane's Publish puts messages: the embedded broker or an external one. */
export interface OutgoingMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: 0 | 1;
  readonly retain: boolean;
  /** MQTT 5 message expiry interval, seconds */
  readonly expirySeconds: number | undefined;
}

export interface MqttSink {
  /** the broker's URL, for subscribers */
  readonly url: string;
  /** resolves once the broker has the message (QoS 1: acknowledged) */
  publish(message: OutgoingMessage): Promise<void>;
  /** drops a retained message without delivering anything, as a broker does when it expires */
  expireRetained(topic: string): Promise<void>;
  close(): Promise<void>;
}
