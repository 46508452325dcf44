/**
 * AWS IoT's MQTT-over-WebSocket door on the emulator's one HTTP(S) server: `GET /mqtt` upgraded
 * to a WebSocket (subprotocol `mqtt`) once its SigV4 query-string presigned URL checks out, signed
 * for the service `iotdevicegateway`. A refused upgrade gets a plain HTTP error (403 for the
 * signature, counted in authFailures like a badly signed HTTP request) and a closed socket;
 * so does an upgrade asked anywhere else. Also keeps AWS IoT's rule of one connection per client
 * id: a second CONNECT with the same id ends the older connection (DISCONNECT 0x8E).
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { AwsError } from '../aws-error.js';
import type { SigV4Verifier } from '../http/sigv4-verifier.js';
import type { OperationStats } from '../operation-stats.js';
import type { MqttPublishPath } from './mqtt-publish-path.js';
import { MqttSession, type ClientIdRegistry } from './mqtt-session.js';
import { REASON } from './reason-codes.js';

export const MQTT_PATH = '/mqtt';
const SIGNING_SERVICE = 'iotdevicegateway';
/** one frame may carry a whole turn of publishes (up to Receive Maximum of 128 KB each) */
const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export class MqttGateway implements ClientIdRegistry {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_FRAME_BYTES, handleProtocols: () => 'mqtt' });
  private readonly sessions = new Set<MqttSession>();
  private readonly byClientId = new Map<string, MqttSession>();

  constructor(
    private readonly verifier: SigV4Verifier,
    private readonly stats: OperationStats,
    private readonly publishes: MqttPublishPath,
    private readonly now: () => number,
  ) {}

  /** The HTTP server's `upgrade` listener. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (path !== MQTT_PATH || (req.method ?? 'GET') !== 'GET') {
      return refuse(socket, new AwsError('NotFound', `No WebSocket endpoint at ${path}: AWS IoT's MQTT over WebSocket is GET ${MQTT_PATH}`, 404));
    }
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!protocols.includes('mqtt')) {
      return refuse(socket, new AwsError('BadRequest', "The WebSocket subprotocol must be 'mqtt'", 400));
    }
    try {
      const scope = this.verifier.verifyPresigned({ method: 'GET', url, headers: req.headers });
      if (scope.service !== SIGNING_SERVICE) {
        throw new AwsError('InvalidSignatureException', `Credential should be scoped to correct service: '${SIGNING_SERVICE}'.`, 403);
      }
    } catch (error) {
      this.stats.authFailures++;
      return refuse(socket, error instanceof AwsError ? error : new AwsError('InternalServerError', 'emulator error', 500));
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  };

  claim(clientId: string, session: MqttSession): void {
    const older = this.byClientId.get(clientId);
    this.byClientId.set(clientId, session);
    if (older !== undefined && older !== session) older.end(REASON.sessionTakenOver);
  }

  release(session: MqttSession): void {
    this.sessions.delete(session);
    const id = session.clientId;
    if (id !== undefined && this.byClientId.get(id) === session) this.byClientId.delete(id);
  }

  /** Drops every connection (upgraded sockets are no longer the HTTP server's to close). */
  async close(): Promise<void> {
    for (const session of this.sessions) session.destroy();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket): void {
    this.sessions.add(new MqttSession(ws, this.publishes, this, this.now));
  }
}

/** A plain HTTP answer on the raw socket, in AWS's restJson error shape, then the socket closed. */
function refuse(socket: Duplex, error: AwsError): void {
  const body = JSON.stringify({ __type: error.name, message: error.message });
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\n` +
      `Connection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nx-amzn-ErrorType: ${error.name}\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}
