import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ProgressBars } from '../../../src/cli/progress-bar.js';

function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, read: () => text };
}

describe('ProgressBars', () => {
  it('writes plain periodic lines with every bar when not on a terminal', () => {
    const { stream, read } = capture(false);
    let now = 0;
    const bars = new ProgressBars({ stream, now: () => now, plainIntervalMs: 3000 });
    const accepted = bars.add('accepted', 10000);
    const registered = bars.add('registered', 10000);
    accepted.update(2500); // first change draws at once
    accepted.update(5000); // within the interval: nothing
    now = 3000;
    registered.update(1000);
    bars.finish();
    expect(read()).not.toContain('\x1b');
    expect(read().split('\n')).toEqual([
      'accepted 2,500/10,000 (25%) · registered 0/10,000 (0%)',
      'accepted 5,000/10,000 (50%) · registered 1,000/10,000 (10%)',
      'accepted 5,000/10,000 (50%) · registered 1,000/10,000 (10%)',
      '',
    ]);
  });

  it('redraws bars in place on a terminal', () => {
    const { stream, read } = capture(true);
    let now = 0;
    const bars = new ProgressBars({ stream, now: () => now, barWidth: 10 });
    const a = bars.add('a', 4);
    const long = bars.add('longer', 0);
    a.update(2);
    now = 50;
    a.update(3); // throttled
    now = 100;
    long.update(7, '7 rows');
    const frames = read().split('\x1b[2A');
    expect(frames).toHaveLength(2);
    expect(frames[0]).toBe('\r\x1b[2Ka       █████░░░░░  50%  2/4\n\r\x1b[2Klonger  ░░░░░░░░░░   0%  0/0\n');
    expect(frames[1]).toBe('\r\x1b[2Ka       ████████░░  75%  3/4\n\r\x1b[2Klonger  ░░░░░░░░░░   0%  7 rows\n');
  });

  it('clamps the fraction and honours an explicit tty flag', () => {
    const { stream, read } = capture(true);
    const bars = new ProgressBars({ stream, tty: false, now: () => 0 });
    const bar = bars.add('x', 10);
    bar.increment(15);
    expect(bar.fraction()).toBe(1);
    expect(read()).toBe('x 15/10 (100%)\n');
  });
});

describe('ProgressBars.log', () => {
  it('writes text above the bars on a terminal and draws them again below it', () => {
    const { stream, read } = capture(true);
    const bars = new ProgressBars({ stream, now: () => 0, barWidth: 4 });
    bars.add('a', 2).update(1);
    bars.log('batch b-1 created');
    expect(read()).toBe(
      '\r\x1b[2Ka  ██░░  50%  1/2\n' + '\x1b[1A\r\x1b[0Jbatch b-1 created\n' + '\r\x1b[2Ka  ██░░  50%  1/2\n',
    );
  });

  it('just writes the line when not on a terminal', () => {
    const { stream, read } = capture(false);
    const bars = new ProgressBars({ stream, now: () => 0 });
    bars.log('hello');
    expect(read()).toBe('hello\n');
  });
});
