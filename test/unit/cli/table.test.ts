import { describe, expect, it } from 'vitest';
import { renderTable } from '../../../src/cli/table.js';

describe('renderTable', () => {
  it('aligns columns, right-aligns numbers where asked and formats them', () => {
    const out = renderTable(
      [{ header: 'metric' }, { header: 'value', align: 'right' }],
      [
        ['devices', 10000],
        ['p99 latency ms', 12.5],
        ['sites', '12'],
      ],
    );
    expect(out).toBe(
      [
        'metric           value',
        '--------------  ------',
        'devices         10,000',
        'p99 latency ms    12.5',
        'sites               12',
        '',
      ].join('\n'),
    );
  });

  it('counts code points, fills missing cells and leaves no trailing spaces', () => {
    const out = renderTable([{ header: 'a' }, { header: 'b' }], [['ü→x'], ['y', 'z']]);
    expect(out.split('\n')).toEqual(['a    b', '---  -', 'ü→x', 'y    z', '']);
  });
});
