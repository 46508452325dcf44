/**
 * Managed-node ids (`mi-` + 17 hex) that look random but encode the node's index, so a million
 * nodes need no id strings and no id → node map. The 17 digits are a per-emulator 5-digit prefix
 * and a bijective scramble of the 48-bit index: x ↦ ((x ⊕ k) · a + b) mod 2^48 with a odd.
 */
import { randomBytes } from 'node:crypto';

const BITS = 48n;
const MASK = (1n << BITS) - 1n;
const ID_PATTERN = /^mi-([0-9a-f]{5})([0-9a-f]{12})$/;

export class ManagedNodeIds {
  private readonly prefix: string;
  private readonly a: bigint;
  private readonly aInverse: bigint;
  private readonly b: bigint;
  private readonly k: bigint;

  constructor() {
    const bytes = randomBytes(21);
    this.prefix = bytes.subarray(0, 3).toString('hex').slice(0, 5);
    this.a = BigInt('0x' + bytes.subarray(3, 9).toString('hex')) | 1n;
    this.b = BigInt('0x' + bytes.subarray(9, 15).toString('hex'));
    this.k = BigInt('0x' + bytes.subarray(15, 21).toString('hex'));
    // Newton's iteration for the inverse of an odd number mod 2^48: correct bits double each step
    let inverse = this.a;
    for (let i = 0; i < 6; i++) inverse = (inverse * (2n - this.a * inverse)) & MASK;
    this.aInverse = inverse;
  }

  idOf(index: number): string {
    const scrambled = (((BigInt(index) ^ this.k) * this.a) + this.b) & MASK;
    return `mi-${this.prefix}${scrambled.toString(16).padStart(12, '0')}`;
  }

  /** The index an id encodes, or undefined when it is not one of this emulator's ids. */
  indexOf(id: string): number | undefined {
    const match = ID_PATTERN.exec(id);
    if (!match || match[1] !== this.prefix) return undefined;
    const scrambled = BigInt('0x' + match[2]!);
    const index = (((scrambled - this.b) * this.aInverse) & MASK) ^ this.k;
    return index <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(index) : undefined;
  }
}
