/**
 * Managed nodes (`mi-…`), kept small enough to hold a million: a node is an index into typed
 * arrays (its activation, registration time, deregistered flag). Its tags are its activation's
 * tags, shared, plus a per-node difference only for nodes tagged since; a hostname only if given.
 */
import type { Activation } from './activation-registry.js';
import { ManagedNodeIds } from './managed-node-ids.js';
import type { Tag } from './tags.js';

/** Per-node tag changes over the activation's tags, flat: key, value (null = removed), key, value… */
type TagDelta = (string | null)[];

export class ManagedNodeRegistry {
  private readonly ids = new ManagedNodeIds();
  private activationOf = new Int32Array(1024);
  private registeredAt = new Float64Array(1024);
  private deregistered = new Uint8Array(1024);
  private readonly hostnames = new Map<number, string>();
  private readonly tagDeltas = new Map<number, TagDelta>();
  /** tag keys are few and repeated on every node: one string each */
  private readonly internedKeys = new Map<string, string>();
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
    if (hostname !== undefined) this.hostnames.set(index, hostname);
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
    return this.hostnames.get(index);
  }

  deregister(index: number): void {
    this.deregistered[index] = 1;
    const region = this.activation(index).region;
    this.liveByRegion.set(region, this.liveInRegion(region) - 1);
    this.hostnames.delete(index);
    this.tagDeltas.delete(index);
  }

  tags(index: number): Tag[] {
    const base = this.activation(index).tags;
    const delta = this.tagDeltas.get(index);
    if (delta === undefined) return base.map((t) => ({ Key: t.Key, Value: t.Value }));
    const merged = new Map(base.map((t) => [t.Key, t.Value] as [string, string | null]));
    for (let i = 0; i < delta.length; i += 2) merged.set(delta[i]!, delta[i + 1]!);
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
    const delta: TagDelta = [];
    for (const [key, value] of current) if (base.get(key) !== value) delta.push(this.intern(key), value);
    for (const key of base.keys()) if (!current.has(key)) delta.push(this.intern(key), null);
    if (delta.length === 0) this.tagDeltas.delete(index);
    else this.tagDeltas.set(index, delta);
  }

  private intern(key: string): string {
    let interned = this.internedKeys.get(key);
    if (interned === undefined) {
      interned = key;
      this.internedKeys.set(key, key);
    }
    return interned;
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
