import { describe, expect, it } from 'vitest';
import { DeadlineExceededError, withDeadlines } from '../../../src/api/deadline-services.js';

class Slow {
  readonly label = 'slow';
  constructor(private readonly ms: number) {}
  async answer(x: number): Promise<number> {
    await new Promise((r) => setTimeout(r, this.ms));
    return x * 2;
  }
  size(): number {
    return this.ms;
  }
}

describe('withDeadlines', () => {
  it('passes answers, plain methods and fields through, with `this` intact', async () => {
    const s = withDeadlines(new Slow(1), 1_000);
    await expect(s.answer(21)).resolves.toBe(42);
    expect(s.size()).toBe(1);
    expect(s.label).toBe('slow');
  });

  it('fails a call past its deadline with a retryable UNAVAILABLE naming the method', async () => {
    const s = withDeadlines(new Slow(1_000), 20);
    const err = await s.answer(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineExceededError);
    expect(err).toMatchObject({ code: 'UNAVAILABLE', permanent: false });
    expect((err as Error).message).toMatch(/^answer: Redis did not answer within 20 ms/);
  });
});
