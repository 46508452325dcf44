import { describe, expect, it } from 'vitest';
import { PubackQueue, type Ending } from '../../../src/emulator/mqtt/puback-queue.js';

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('PubackQueue', () => {
  it('writes PUBACKs in arrival order, one write per turn, reason code only when not success', async () => {
    const writes: Buffer[] = [];
    const queue = new PubackQueue((b) => writes.push(b), () => undefined);
    const [a, b, c] = [queue.open(1), queue.open(0x0102), queue.open(3)];
    queue.settle(c, 0x97);
    queue.settle(b, 0);
    await turn();
    expect(writes).toEqual([]); // the first is still being worked on
    expect(queue.inFlight).toBe(3);
    queue.settle(a, 0);
    await turn();
    expect(writes).toEqual([Buffer.from([0x40, 2, 0, 1, 0x40, 2, 1, 2, 0x40, 3, 0, 3, 0x97])]);
    expect(queue.inFlight).toBe(0);
  });

  it('ends the connection in place of a PUBACK, after the acks before it and none after', async () => {
    const writes: Buffer[] = [];
    const endings: Ending[] = [];
    const queue = new PubackQueue((b) => writes.push(b), (e) => endings.push(e));
    const [a, b, c] = [queue.open(1), queue.open(2), queue.open(3)];
    queue.settle(a, 0);
    queue.settleEnding(b, 'drop');
    queue.settle(c, 0);
    await turn();
    expect(writes).toEqual([Buffer.from([0x40, 2, 0, 1])]);
    expect(endings).toEqual(['drop']);
  });
});
