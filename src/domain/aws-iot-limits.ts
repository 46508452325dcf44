/** AWS IoT Core limits that shape what fleet-enroll publishes. */

/** AWS IoT keeps an MQTT 5 message at most 7 days, whatever message expiry it was published with. */
export const AWS_IOT_MAX_MESSAGE_EXPIRY_SECONDS = 604_800;
