/**
 * The PUBACKs of one connection, written in the order their PUBLISHes arrived (MQTT 5 §4.6 wants
 * them in order; publishes with fault latency finish out of order) and batched: everything that
 * settled in one event-loop turn goes out as one WebSocket frame, since the emulator shares its
 * two cores with the whole bench. A publish that ends the connection instead of being acked (its
 * answer dropped by the fault `dropAnswer`, or a packet too large) does so when its turn comes,
 * after the acks before it.
 */
import { REASON } from './reason-codes.js';

/** how a connection ends in place of a PUBACK: destroyed without a word, or DISCONNECT with a reason code */
export type Ending = 'drop' | number;

export interface PubackSlot {
  readonly packetId: number;
  /** undefined while the publish is being worked on */
  reason: number | undefined;
  ending: Ending | undefined;
}

export class PubackQueue {
  private slots: PubackSlot[] = [];
  private head = 0;
  private scheduled = false;

  constructor(
    private readonly write: (bytes: Buffer) => void,
    private readonly end: (ending: Ending) => void,
  ) {}

  /** QoS 1 publishes received and not yet acknowledged: what Receive Maximum caps */
  get inFlight(): number {
    return this.slots.length - this.head;
  }

  open(packetId: number): PubackSlot {
    const slot: PubackSlot = { packetId, reason: undefined, ending: undefined };
    this.slots.push(slot);
    return slot;
  }

  settle(slot: PubackSlot, reason: number): void {
    slot.reason = reason;
    this.schedule();
  }

  settleEnding(slot: PubackSlot, ending: Ending): void {
    slot.reason = REASON.success;
    slot.ending = ending;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const acks: Buffer[] = [];
    let ending: Ending | undefined;
    while (this.head < this.slots.length) {
      const slot = this.slots[this.head]!;
      if (slot.reason === undefined) break;
      this.head++;
      if (slot.ending !== undefined) {
        ending = slot.ending;
        break;
      }
      acks.push(encodePuback(slot.packetId, slot.reason));
    }
    if (this.head === this.slots.length) {
      this.slots = [];
      this.head = 0;
    } else if (this.head > 1024) {
      // under steady load the queue is never empty: drop the acknowledged front now and then
      this.slots = this.slots.slice(this.head);
      this.head = 0;
    }
    if (acks.length > 0) this.write(acks.length === 1 ? acks[0]! : Buffer.concat(acks));
    if (ending !== undefined) this.end(ending);
  }
}

/** MQTT 5 PUBACK: success leaves out the reason code (§3.4.2.1), anything else carries it, no properties. */
function encodePuback(packetId: number, reason: number): Buffer {
  return reason === REASON.success
    ? Buffer.from([0x40, 2, packetId >> 8, packetId & 0xff])
    : Buffer.from([0x40, 3, packetId >> 8, packetId & 0xff, reason]);
}
