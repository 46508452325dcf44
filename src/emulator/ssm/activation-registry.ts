/**
 * Hybrid activations, per Region. Deleted activations stay in `all` (without their code) because
 * the nodes registered with them keep pointing at them, as in AWS: deleting an activation does not
 * deregister its nodes. Only a hash of each activation code is kept.
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
