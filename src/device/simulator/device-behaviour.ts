/**
 * Which simulated devices misbehave, chosen by a hash of the thing name: the same device behaves the same
 * way on every delivery, without keeping anything per device.
 */
export type DeviceBehaviour = 'normal' | 'silent' | 'never-ack' | 'fail-ack';

export interface MisbehaviourFractions {
  /** ignore the credentials entirely (a dead device) */
  readonly silentFraction?: number;
  /** register with SSM but never send the ack (a lost ack) */
  readonly neverAckFraction?: number;
  /** do not register; ack `failed` */
  readonly failAckFraction?: number;
}

/** FNV-1a over the name, then murmur3's finaliser (names differing only in a last digit must still spread), scaled to [0, 1). */
export function unitHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}

export class BehaviourPicker {
  private readonly silent: number;
  private readonly neverAck: number;
  private readonly failAck: number;

  constructor(fractions: MisbehaviourFractions = {}) {
    const parts = [fractions.silentFraction ?? 0, fractions.neverAckFraction ?? 0, fractions.failAckFraction ?? 0];
    if (parts.some((f) => !(f >= 0 && f <= 1)) || parts.reduce((a, b) => a + b, 0) > 1) {
      throw new RangeError('misbehaviour fractions must each be 0..1 and add up to at most 1');
    }
    this.silent = parts[0] ?? 0;
    this.neverAck = this.silent + (parts[1] ?? 0);
    this.failAck = this.neverAck + (parts[2] ?? 0);
  }

  pick(thingName: string): DeviceBehaviour {
    const x = unitHash(thingName);
    if (x < this.silent) return 'silent';
    if (x < this.neverAck) return 'never-ack';
    if (x < this.failAck) return 'fail-ack';
    return 'normal';
  }
}
