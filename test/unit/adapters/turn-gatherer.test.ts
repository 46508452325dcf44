/** TurnGatherer: what one turn of the event loop adds is handed over once, together and in order; the next turn's apart. */
import { describe, expect, it } from 'vitest';
import { TurnGatherer } from '../../../src/adapters/turn-gatherer.js';

const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('TurnGatherer', () => {
  it('hands over the items of one turn together, in order, at its end; a later turn gets a hand-over of its own', async () => {
    const handed: number[][] = [];
    const gatherer = new TurnGatherer<number>((items) => handed.push(items));
    gatherer.add(1);
    gatherer.add(2);
    // microtasks belong to the same turn
    await Promise.resolve();
    gatherer.add(3);
    expect(handed).toEqual([]);
    await endOfTurn();
    expect(handed).toEqual([[1, 2, 3]]);
    gatherer.add(4);
    await endOfTurn();
    expect(handed).toEqual([[1, 2, 3], [4]]);
    await endOfTurn();
    expect(handed).toHaveLength(2);
  });
});
