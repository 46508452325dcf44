/**
 * A failed MQTT publish or connection in the shape of an SDK v3 error — `name`, `$metadata.httpStatusCode`,
 * a Node `code` for a lost connection — so toAwsCallError classifies it as it classifies the HTTP Publish's:
 * the PUBACK reason codes map to the names and statuses AWS IoT's REST Publish answers with for the same cause.
 * Messages name the cause only: never a URL, a signature or a token.
 */

export class MqttPublishError extends Error {
  readonly $metadata: { readonly httpStatusCode?: number };

  constructor(
    override readonly name: string,
    message: string,
    status?: number,
    readonly code?: string,
  ) {
    super(message);
    this.$metadata = status === undefined ? {} : { httpStatusCode: status };
  }

  /** the error a PUBACK with a failure reason code stands for (MQTT 5.0 §3.4.2.1) */
  static ofPuback(reasonCode: number): MqttPublishError {
    const hex = `0x${reasonCode.toString(16).padStart(2, '0')}`;
    switch (reasonCode) {
      case 0x97:
        return new MqttPublishError('ThrottlingException', `PUBACK ${hex}: quota exceeded`, 429);
      case 0x87:
        return new MqttPublishError('UnauthorizedException', `PUBACK ${hex}: not authorized`, 401);
      case 0x90:
        return new MqttPublishError('InvalidRequestException', `PUBACK ${hex}: topic name invalid`, 400);
      case 0x95:
        return new MqttPublishError('InvalidRequestException', `PUBACK ${hex}: packet too large`, 400);
      case 0x99:
        return new MqttPublishError('InvalidRequestException', `PUBACK ${hex}: payload format invalid`, 400);
      default:
        // 0x80 unspecified, 0x83 implementation specific, and any other: the server's trouble, worth another try
        return new MqttPublishError('InternalFailure', `PUBACK ${hex}: publish failed`, 500);
    }
  }

  /** the error a CONNACK with a failure reason code stands for (MQTT 5.0 §3.2.2.2) */
  static ofConnack(reasonCode: number): MqttPublishError {
    const hex = `0x${reasonCode.toString(16).padStart(2, '0')}`;
    if ([0x86, 0x87, 0x8a, 0x8c].includes(reasonCode)) return new MqttPublishError('AccessDeniedException', `CONNACK ${hex}: connection not authorized`, 403);
    if (reasonCode === 0x97 || reasonCode === 0x9f) return new MqttPublishError('ThrottlingException', `CONNACK ${hex}: connection quota or rate exceeded`, 429);
    if (reasonCode === 0x84 || reasonCode === 0x85) return new MqttPublishError('InvalidRequestException', `CONNACK ${hex}: connection refused`, 400);
    return new MqttPublishError('InternalFailure', `CONNACK ${hex}: connection refused`, 500);
  }

  /** a payload over AWS IoT's limit, refused before it is sent */
  static tooLarge(bytes: number, limit: number): MqttPublishError {
    return new MqttPublishError('InvalidRequestException', `payload: ${bytes} bytes, over AWS IoT's ${limit}-byte limit`, 400);
  }

  /** the publishes in flight on a connection that went away: they may or may not have arrived, and may be sent again */
  static connectionLost(why: string): MqttPublishError {
    return new MqttPublishError('ConnectionLost', `MQTT connection lost: ${why}`, undefined, 'ECONNRESET');
  }

  /** the WebSocket upgrade answered with an HTTP error instead of 101 */
  static refused(status: number): MqttPublishError {
    if (status === 403 || status === 401) {
      return new MqttPublishError(
        'AccessDeniedException',
        `the data endpoint refused the MQTT WebSocket connection with HTTP ${status}: its SigV4 signature, credentials or clock were not accepted`,
        status,
      );
    }
    return new MqttPublishError('WebSocketUpgradeFailed', `the data endpoint answered the MQTT WebSocket upgrade with HTTP ${status}`, status);
  }
}
