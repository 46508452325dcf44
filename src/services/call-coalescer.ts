/**
 * Single calls made as calls for many (group commit): what callers submit during one turn of the event
 * loop, or while the previous call is in flight, goes in the next call, at most `maxPerCall` inputs each,
 * one call in flight at a time. A burst costs a few calls instead of one per input; a lone input waits no
 * longer than its turn (no timers). Each caller gets its own answer; a failed call rejects its own inputs
 * only, and the next call goes on with the rest.
 */
import { TurnGatherer } from '../adapters/turn-gatherer.js';
import { AnswerCountError } from './answer-count-error.js';

interface Submitted<I, O> {
  readonly input: I;
  readonly resolve: (answer: O) => void;
  readonly reject: (err: unknown) => void;
}

export class CallCoalescer<I, O> {
  /** handed over by the gatherer, waiting for the call in flight to end */
  private readonly waiting: Submitted<I, O>[] = [];
  private readonly gatherer = new TurnGatherer<Submitted<I, O>>((items) => {
    for (const item of items) this.waiting.push(item);
    this.next();
  });
  private inFlight = false;

  constructor(
    /** one answer per input, in order */
    private readonly call: (inputs: I[]) => Promise<O[]>,
    private readonly maxPerCall: number,
  ) {
    if (!(maxPerCall >= 1)) throw new RangeError(`maxPerCall must be at least 1, not ${maxPerCall}`);
  }

  submit(input: I): Promise<O> {
    return new Promise((resolve, reject) => this.gatherer.add({ input, resolve, reject }));
  }

  private next(): void {
    if (this.inFlight || this.waiting.length === 0) return;
    this.inFlight = true;
    void this.run(this.waiting.splice(0, this.maxPerCall));
  }

  private async run(batch: readonly Submitted<I, O>[]): Promise<void> {
    try {
      const answers = await this.call(batch.map((s) => s.input));
      if (answers.length !== batch.length) throw new AnswerCountError(batch.length, answers.length);
      batch.forEach((s, i) => s.resolve(answers[i]!));
    } catch (err) {
      for (const s of batch) s.reject(err);
    } finally {
      this.inFlight = false;
      // what came while this call was in flight has waited its turn already: it goes at once
      this.next();
    }
  }
}
