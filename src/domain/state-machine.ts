/** A finite set of states and the moves allowed between them; shared by devices and batches. */
import { InvalidTransitionError } from './errors.js';

export class StateMachine<S extends string> {
  private readonly allowed: ReadonlyMap<S, ReadonlySet<S>>;

  constructor(
    /** `device` or `batch`: names the machine in errors */
    readonly subject: string,
    transitions: Readonly<Record<S, readonly S[]>>,
  ) {
    this.allowed = new Map(Object.entries(transitions).map(([from, to]) => [from as S, new Set(to as readonly S[])]));
  }

  /** Staying in the same state is not a transition: callers treat a repeat as a no-op. */
  canTransition(from: S, to: S): boolean {
    return this.allowed.get(from)?.has(to) ?? false;
  }

  assertTransition(from: S, to: S): void {
    if (!this.canTransition(from, to)) throw new InvalidTransitionError(this.subject, from, to);
  }
}
