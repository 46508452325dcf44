/**
 * A finite set of states, the states a new record starts in, and the moves allowed between them; shared by
 * devices and batches. The tables hold only what the code does: every Lua script declares the moves it makes
 * and `npm run lint` (scripts/check-lua-transitions.ts) checks them against these tables, both ways.
 */
import { InvalidTransitionError } from './errors.js';

export class StateMachine<S extends string> {
  private readonly allowed: ReadonlyMap<S, ReadonlySet<S>>;
  /** the states a new record is written in */
  readonly initial: readonly S[];

  constructor(
    /** `device` or `batch`: names the machine in errors */
    readonly subject: string,
    transitions: Readonly<Record<S, readonly S[]>>,
    initial: readonly S[],
  ) {
    this.initial = [...initial];
    this.allowed = new Map(Object.entries(transitions).map(([from, to]) => [from as S, new Set(to as readonly S[])]));
  }

  /** Staying in the same state is not a transition: callers treat a repeat as a no-op. */
  canTransition(from: S, to: S): boolean {
    return this.allowed.get(from)?.has(to) ?? false;
  }

  assertTransition(from: S, to: S): void {
    if (!this.canTransition(from, to)) throw new InvalidTransitionError(this.subject, from, to);
  }

  /** A new record may be written in `state`. */
  canStart(state: S): boolean {
    return this.initial.includes(state);
  }

  /** Every allowed move, as [from, to] pairs. */
  moves(): readonly (readonly [S, S])[] {
    return [...this.allowed].flatMap(([from, tos]) => [...tos].map((to) => [from, to] as const));
  }

  /** The states reachable from `from` in one move. */
  next(from: S): readonly S[] {
    return [...(this.allowed.get(from) ?? [])];
  }
}
