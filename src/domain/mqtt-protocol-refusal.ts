/**
 * Whether a broker refused a connection for its MQTT version: CONNACK return code 1 (3.1.1) or reason 132
 * (MQTT 5), as mqtt.js reports it. A client that asked for MQTT 5 then asks again for 3.1.1 (e.g. aedes).
 */
export function refusedProtocolVersion(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 1 || code === 132 || /protocol version/i.test(String((err as Error).message));
}
