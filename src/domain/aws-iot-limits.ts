/** AWS IoT Core limits that shape what fleet-enroll publishes. */

/** AWS IoT keeps an MQTT 5 message at most 7 days, whatever message expiry it was published with. */
export const AWS_IOT_MAX_MESSAGE_EXPIRY_SECONDS = 604_800;

/** The message expiry to publish with: whole seconds, at least 1, at most `cap` (AWS IoT's, or a test's shorter one). */
export function publishExpirySeconds(expirySeconds: number, cap = AWS_IOT_MAX_MESSAGE_EXPIRY_SECONDS): number {
  return Math.max(1, Math.min(cap, Math.ceil(expirySeconds)));
}

/** AWS IoT accepts at most this many publishes per second on one MQTT connection (not adjustable). */
export const AWS_IOT_PUBLISHES_PER_SECOND_PER_CONNECTION = 100;

/** AWS IoT refuses a message payload over 128 KB. */
export const AWS_IOT_MAX_PAYLOAD_BYTES = 128 * 1024;
