/**
 * Managed nodes (`mi-…`), kept small enough to hold a million (about 80 bytes each, tagged): a
 * node is an index into typed arrays (its activation, registration time, deregistered flag). Its
 * tags are its activation's tags, shared, plus for nodes tagged since a difference packed in one
 * string; a hostname only if one was given.
 */
import type { Activation } from './activation-registry.js';
import { ManagedNodeIds } from './managed-node-ids.js';
import type { Tag } from './tags.js';

/**
 * Per-node tag changes over the activation's tags, packed in one string (tag characters never
 * include these control characters): `key\u0000value` added or changed, bare `key` removed,
 * entries separated by \u0001.
 */
const KEY_END = '\u0000';
const ENTRY_END = '\u0001';

export class ManagedNodeRegistry {
  private readonly ids = new ManagedNodeIds();
  private activationOf = new Int32Array(1024);
  private registeredAt = new Float64Array(1024);
  private deregistered = new Uint8Array(1024);
  /** arrays, not Maps: one slot (8 bytes) per node beats a hash entry per node */
  private readonly hostnames: (string | undefined)[] = [];
  private readonly tagDeltas: (string | undefined)[] = [];
  private readonly liveByRegion = new Map<string, number>();
  private size = 0;

  constructor(private readonly activations: readonly Activation[]) {}

  get count(): number {
    return this.size;
  }

  liveInRegion(region: string): number {
    return this.liveByRegion.get(region) ?? 0;
  }

  liveTotal(): number {
    let total = 0;
    for (const n of this.liveByRegion.values()) total += n;
    return total;
  }

  register(activation: Activation, now: number, hostname: string | undefined): number {
    const index = this.size;
    if (index === this.activationOf.length) this.grow();
    this.activationOf[index] = activation.index;
    this.registeredAt[index] = now;
    this.hostnames.push(hostname);
    this.tagDeltas.push(undefined);
    this.size++;
    this.liveByRegion.set(activation.region, this.liveInRegion(activation.region) + 1);
    activation.nodes.push(index);
    return index;
  }

  idOf(index: number): string {
    return this.ids.idOf(index);
  }

  /** The live node an id names (in `region`, when given), or undefined. */
  find(id: string, region?: string): number | undefined {
    const index = this.ids.indexOf(id);
    if (index === undefined || index >= this.size || this.deregistered[index] === 1) return undefined;
    return region === undefined || this.activation(index).region === region ? index : undefined;
  }

  isLive(index: number): boolean {
    return index < this.size && this.deregistered[index] === 0;
  }

  activation(index: number): Activation {
    return this.activations[this.activationOf[index]!]!;
  }

  registeredAtMs(index: number): number {
    return this.registeredAt[index]!;
  }

  hostname(index: number): string | undefined {
    return this.hostnames[index];
  }

  deregister(index: number): void {
    this.deregistered[index] = 1;
    const region = this.activation(index).region;
    this.liveByRegion.set(region, this.liveInRegion(region) - 1);
    this.hostnames[index] = undefined;
    this.tagDeltas[index] = undefined;
  }

  tags(index: number): Tag[] {
    const base = this.activation(index).tags;
    const delta = this.tagDeltas[index];
    if (delta === undefined) return base.map((t) => ({ Key: t.Key, Value: t.Value }));
    const merged = new Map<string, string | null>(base.map((t) => [t.Key, t.Value]));
    for (const entry of delta.split(ENTRY_END)) {
      const cut = entry.indexOf(KEY_END);
      if (cut === -1) merged.set(entry, null);
      else merged.set(entry.slice(0, cut), entry.slice(cut + 1));
    }
    const tags: Tag[] = [];
    for (const [Key, Value] of merged) if (Value !== null) tags.push({ Key, Value });
    return tags;
  }

  /** Applies adds (value) and removals (null), then stores only what differs from the activation's tags. */
  changeTags(index: number, changes: ReadonlyMap<string, string | null>): void {
    const current = new Map(this.tags(index).map((t) => [t.Key, t.Value]));
    for (const [key, value] of changes) {
      if (value === null) current.delete(key);
      else current.set(key, value);
    }
    const base = new Map(this.activation(index).tags.map((t) => [t.Key, t.Value]));
    const entries: string[] = [];
    for (const [key, value] of current) if (base.get(key) !== value) entries.push(key + KEY_END + value);
    for (const key of base.keys()) if (!current.has(key)) entries.push(key);
    // flatten: a sliced or concatenated string would keep its parts (and their memory) alive
    this.tagDeltas[index] = entries.length === 0 ? undefined : flat(entries.join(ENTRY_END));
  }

  private grow(): void {
    const capacity = this.activationOf.length * 2;
    const activationOf = new Int32Array(capacity);
    activationOf.set(this.activationOf);
    const registeredAt = new Float64Array(capacity);
    registeredAt.set(this.registeredAt);
    const deregistered = new Uint8Array(capacity);
    deregistered.set(this.deregistered);
    this.activationOf = activationOf;
    this.registeredAt = registeredAt;
    this.deregistered = deregistered;
  }
}

/** A string of its own (not a rope or a slice of a larger one). */
function flat(text: string): string {
  return text.length === 0 ? text : Buffer.from(text, 'utf8').toString('utf8');
}
