/** The one MQTT connection a device agent needs, as an interface so the agent's logic can be tested without a broker. */
export interface PublishOptions {
  readonly qos: 0 | 1;
  readonly retain?: boolean;
}

export type MessageHandler = (topic: string, payload: Buffer) => void;

export interface MqttLink {
  /** QoS 1 subscription; retained messages on the filter arrive right after it. */
  subscribe(filter: string): Promise<void>;
  /** Resolves once the broker has it (PUBACK for QoS 1). */
  publish(topic: string, payload: string, options: PublishOptions): Promise<void>;
  onMessage(handler: MessageHandler): void;
  close(): Promise<void>;
}
