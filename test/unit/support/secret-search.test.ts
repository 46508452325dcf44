import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeLeaks, encodingsOf, findSecrets } from '../../support/secret-search.js';

const CODE = 'aB3+dE5/fG7hI9jK1lM=';

describe('secret search', () => {
  it('finds a code in clear and in each common encoding, and any 16-character piece of it', () => {
    const b = Buffer.from(CODE);
    const cases: [string, string][] = [
      ['plain', `x ${CODE} y`],
      ['base64', `msg=${b.toString('base64')}`],
      ['base64url', `"${b.toString('base64url')}"`],
      ['hex', b.toString('hex')],
      ['HEX', `0x${b.toString('hex').toUpperCase()}`],
      ['url', `?code=${encodeURIComponent(CODE)}&x=1`],
      ['piece', `truncated: ${CODE.slice(2, 18)}…`],
    ];
    for (const [encoding, text] of cases) {
      const leaks = findSecrets([CODE], [{ where: encoding, text }]);
      expect(leaks.length, encoding).toBeGreaterThan(0);
      // each form is found as itself, unless it is the same text as an earlier form (base64url = unpadded base64 here)
      if (encoding !== 'base64url') expect(leaks.map((l) => l.encoding), encoding).toContain(encoding);
    }
  });

  it('finds nothing in texts without the code, and names each place and code found', () => {
    const other = randomBytes(15).toString('base64');
    const text = `${randomBytes(4096).toString('base64')} ${CODE.slice(0, 15)} ${Buffer.from(CODE).toString('hex').slice(0, 15)}`;
    expect(findSecrets([CODE, other], [{ where: 'noise', text }])).toEqual([]);
    const leaks = findSecrets([CODE, other], [{ where: 'a', text: CODE }, { where: 'b', text: Buffer.from(other).toString('base64') }]);
    expect(leaks.map((l) => [l.where, l.code])).toEqual(expect.arrayContaining([['a', 0], ['b', 1]]));
    expect(leaks.some((l) => l.where === 'a' && l.code === 1)).toBe(false);
    expect(describeLeaks(leaks)).toEqual(expect.arrayContaining([expect.stringMatching(/^a: 1 code\(s\)/), expect.stringMatching(/^b: 1 code\(s\) \(base64/)]));
  });

  it('looks for every form at least 16 characters long, and refuses codes shorter than that', () => {
    for (const f of encodingsOf(CODE)) expect(f.text.length).toBeGreaterThanOrEqual(16);
    expect(encodingsOf(CODE).filter((f) => f.encoding === 'piece')).toHaveLength(CODE.length - 16 + 1);
    expect(() => findSecrets(['short'], [])).toThrow(/shorter than 16/);
  });
});
