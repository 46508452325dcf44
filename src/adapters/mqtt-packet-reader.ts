/**
 * MQTT packets out of a WebSocket's binary frames. A frame may hold several packets or part of one (MQTT 5.0
 * §6): the frames are a byte stream, so a packet cut across frames waits in `pending` for the rest. The common
 * case (whole packets in one frame) is read in place, without copying.
 */
import { MqttProtocolError, readVarint } from './mqtt-packets.js';

export class MqttPacketReader {
  private pending: Buffer | undefined;

  /** `onPacket` gets each packet's type (high nibble), flags (low nibble) and body (a view, valid during the call) */
  constructor(
    private readonly onPacket: (type: number, flags: number, body: Buffer) => void,
    /** the largest packet accepted: a server sending more is broken or hostile */
    private readonly maxPacketBytes = 1 << 20,
  ) {}

  push(chunk: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let o = 0;
    while (o < buf.length) {
      if (o + 2 > buf.length) break;
      const [length, start] = readVarint(buf, o + 1);
      if (length < 0) break;
      if (length > this.maxPacketBytes) throw new MqttProtocolError(`packet of ${length} bytes`);
      const end = start + length;
      if (end > buf.length) break;
      const first = buf[o]!;
      this.onPacket(first >> 4, first & 0x0f, buf.subarray(start, end));
      o = end;
    }
    // copied: the frame's buffer may be reused by the socket
    if (o < buf.length) this.pending = Buffer.from(buf.subarray(o));
  }
}
