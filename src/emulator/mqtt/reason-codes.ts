/** The MQTT 5 reason codes (MQTT 5 §2.4) the gateway answers with, named as the standard names them. */
export const REASON = {
  success: 0x00,
  /** UNSUBACK: the gateway keeps no subscriptions */
  noSubscriptionExisted: 0x11,
  unspecifiedError: 0x80,
  malformedPacket: 0x81,
  protocolError: 0x82,
  unsupportedProtocolVersion: 0x84,
  clientIdentifierNotValid: 0x85,
  notAuthorized: 0x87,
  keepAliveTimeout: 0x8d,
  sessionTakenOver: 0x8e,
  topicNameInvalid: 0x90,
  receiveMaximumExceeded: 0x93,
  topicAliasInvalid: 0x94,
  packetTooLarge: 0x95,
  quotaExceeded: 0x97,
  qosNotSupported: 0x9b,
} as const;

/** AWS IoT's in-flight QoS 1 cap per connection, sent as CONNACK's Receive Maximum */
export const RECEIVE_MAXIMUM = 100;
