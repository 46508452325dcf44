import { describe, expect, it } from 'vitest';
import { RetainedMessages } from '../../../src/emulator/iotdata/retained-messages.js';

describe('retained messages', () => {
  it('clears on a zero-byte payload and expires on the clock, telling the broker', () => {
    let now = 1_000_000;
    const expired: string[] = [];
    const store = new RetainedMessages(() => now, (topic) => expired.push(topic), 0);
    store.put('a', { payload: Buffer.from('x'), qos: 1, lastModified: now, expiresAt: now + 5000 });
    store.put('b', { payload: Buffer.from('y'), qos: 1, lastModified: now, expiresAt: undefined });
    store.put('c', { payload: Buffer.from('z'), qos: 0, lastModified: now, expiresAt: now + 1000 });
    store.put('c', { payload: Buffer.alloc(0), qos: 0, lastModified: now, expiresAt: undefined });
    expect(store.size).toBe(2);
    now += 4000;
    store.sweep();
    expect(store.get('a')).toBeDefined();
    now += 1001;
    store.sweep();
    expect(store.get('a')).toBeUndefined();
    expect(expired).toEqual(['a']);
    expect(store.get('b')?.payload.toString()).toBe('y');
  });

  it('does not expire a message replaced by a newer one without expiry', () => {
    let now = 0;
    const expired: string[] = [];
    const store = new RetainedMessages(() => now, (topic) => expired.push(topic), 0);
    store.put('t', { payload: Buffer.from('old'), qos: 1, lastModified: now, expiresAt: 1000 });
    store.put('t', { payload: Buffer.from('new'), qos: 1, lastModified: now, expiresAt: undefined });
    now = 5000;
    store.sweep();
    expect(store.get('t')?.payload.toString()).toBe('new');
    expect(expired).toEqual([]);
  });
});
