import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManagedNodeIds } from '../../../src/emulator/ssm/managed-node-ids.js';

describe('managed-node ids', () => {
  const ids = new ManagedNodeIds();

  it('are mi- + 17 hex and give back the index they encode', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (index) => {
        const id = ids.idOf(index);
        expect(id).toMatch(/^mi-[0-9a-f]{17}$/);
        expect(ids.indexOf(id)).toBe(index);
      }),
    );
  });

  it('differ for neighbouring indexes and are not sequential', () => {
    const some = Array.from({ length: 1000 }, (_, i) => ids.idOf(i));
    expect(new Set(some).size).toBe(1000);
    expect(some.slice(1).filter((id, i) => id > some[i]!).length).toBeLessThan(900);
  });

  it('refuse ids of another emulator or of another shape', () => {
    expect(ids.indexOf('i-0123456789abcdef0')).toBeUndefined();
    expect(ids.indexOf(new ManagedNodeIds().idOf(5).replace(/^mi-...../, 'mi-zzzzz'))).toBeUndefined();
  });
});
