/**
 * docs/ARCHITECTURE.md's trace of one device stays true and short: every file it names exists, and it
 * names at most 20 (a move or rename that leaves the doc behind fails here).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../../..');
const doc = readFileSync(join(repo, 'docs/ARCHITECTURE.md'), 'utf8');

describe('docs/ARCHITECTURE.md', () => {
  const section = doc.split('## One device, from request to `registered`')[1]?.split('\n## ')[0] ?? '';
  const steps = section.split('\n').filter((l) => /^\| \d+ \|/.test(l));

  it('walks one device through at most 20 files, one per step', () => {
    expect(steps.length).toBeGreaterThan(10);
    expect(steps.length).toBeLessThanOrEqual(20);
    const files = steps.map((l) => /^\| \d+ \| `([^`]+)`/.exec(l)?.[1]);
    expect(new Set(files).size).toBe(steps.length);
  });

  it('names only files that exist', () => {
    // each step's file (first column), and any other file a step mentions in passing
    const named = steps.flatMap((l) => [...l.matchAll(/`(src\/[^`]+)`/g)].map((m) => m[1]!));
    expect(named.length).toBeGreaterThanOrEqual(steps.length);
    expect(named.filter((p) => !existsSync(join(repo, p)))).toEqual([]);
  });
});
