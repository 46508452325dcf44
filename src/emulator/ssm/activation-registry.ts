/**
 * Hybrid activations, per Region. Deleted activations stay in `all` (without their code) because
 * the nodes registered with them keep pointing at them, as in AWS: deleting an activation does not
 * deregister its nodes. Registration checks only a hash of each activation code; the codes themselves
 * are listed apart (`issuedCodes`) for the tests' secret searches, which must cover every code ever
 * handed out, also those whose answer was lost. Per DefaultInstanceName the registry keeps the most
 * unexpired activations that were ever live at once, so "one live activation per batch" is checked
 * exactly rather than by sampling.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ActivationRequest } from './create-activation-rules.js';
import type { Tag } from './tags.js';

export interface Activation extends ActivationRequest {
  /** position in `all`, what a managed node records */
  readonly index: number;
  readonly id: string;
  readonly region: string;
  readonly createdAt: number;
  /** sha256 of the code; dropped when the activation is deleted */
  codeHash: Buffer | undefined;
  registrations: number;
  deleted: boolean;
  /** indexes of the managed nodes registered with it */
  readonly nodes: number[];
}

export class ActivationRegistry {
  readonly all: Activation[] = [];
  private readonly live = new Map<string, Activation>();
  /** every activation ever created, deleted ones too: their nodes still name them */
  private readonly everCreated = new Map<string, Activation>();
  /** every activation code handed out, in order (answers dropped included) */
  private readonly codes: string[] = [];
  /** DefaultInstanceName → its live activations */
  private readonly liveByName = new Map<string, Set<Activation>>();
  /** DefaultInstanceName → the most unexpired activations it had live at once */
  private readonly maxLive = new Map<string, number>();

  create(request: ActivationRequest, region: string, now: number): { activation: Activation; code: string } {
    // 20 characters of base64, like the codes AWS hands out (the API allows 20–250)
    const code = randomBytes(15).toString('base64');
    const activation: Activation = {
      ...request,
      tags: Object.freeze(request.tags.map((t) => Object.freeze({ Key: t.Key, Value: t.Value }))) as readonly Tag[],
      index: this.all.length,
      id: randomUUID(),
      region,
      createdAt: now,
      codeHash: hashCode(code),
      registrations: 0,
      deleted: false,
      nodes: [],
    };
    this.all.push(activation);
    this.live.set(activation.id, activation);
    this.everCreated.set(activation.id, activation);
    this.codes.push(code);
    const sameName = this.liveByName.get(activation.defaultInstanceName) ?? new Set<Activation>();
    sameName.add(activation);
    this.liveByName.set(activation.defaultInstanceName, sameName);
    let usable = 0;
    for (const a of sameName) if (now < a.expiresAt) usable++;
    this.maxLive.set(activation.defaultInstanceName, Math.max(usable, this.maxLive.get(activation.defaultInstanceName) ?? 0));
    return { activation, code };
  }

  /** A live (not deleted) activation; with `region`, only if it lives there. */
  find(id: string, region?: string): Activation | undefined {
    const activation = this.live.get(id);
    return activation !== undefined && (region === undefined || activation.region === region) ? activation : undefined;
  }

  /** Any activation ever created, deleted or not. */
  findAny(id: string): Activation | undefined {
    return this.everCreated.get(id);
  }

  delete(activation: Activation): void {
    activation.deleted = true;
    activation.codeHash = undefined;
    this.live.delete(activation.id);
    const sameName = this.liveByName.get(activation.defaultInstanceName);
    sameName?.delete(activation);
    if (sameName?.size === 0) this.liveByName.delete(activation.defaultInstanceName);
  }

  /** every code ever issued (a copy) */
  get issuedCodes(): readonly string[] {
    return [...this.codes];
  }

  /** DefaultInstanceName → the most unexpired activations it ever had live at once */
  maxLiveByName(): Record<string, number> {
    return Object.fromEntries(this.maxLive);
  }

  liveActivations(): IterableIterator<Activation> {
    return this.live.values();
  }

  get liveCount(): number {
    return this.live.size;
  }

  codeMatches(activation: Activation, code: string): boolean {
    return activation.codeHash !== undefined && timingSafeEqual(activation.codeHash, hashCode(code));
  }
}

const hashCode = (code: string): Buffer => createHash('sha256').update(code).digest();
