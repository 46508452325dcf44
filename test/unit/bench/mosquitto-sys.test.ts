import { describe, expect, it } from 'vitest';
import { parseSysCounter, sysCounterOf, sysDifference, SysValueError } from '../../../bench/mosquitto-sys.js';

describe('Mosquitto $SYS counters', () => {
  it('knows the PUBLISH counters by topic, and nothing else', () => {
    expect(sysCounterOf('$SYS/broker/publish/messages/dropped')).toBe('dropped');
    expect(sysCounterOf('$SYS/broker/publish/messages/received')).toBe('received');
    expect(sysCounterOf('$SYS/broker/publish/messages/sent')).toBe('sent');
    expect(sysCounterOf('$SYS/broker/messages/sent')).toBeUndefined();
    expect(sysCounterOf('$SYS/broker/uptime')).toBeUndefined();
  });

  it('reads a value as the broker writes it: decimal text', () => {
    expect(parseSysCounter('t', Buffer.from('0'))).toBe(0);
    expect(parseSysCounter('t', Buffer.from('1386'))).toBe(1386);
    expect(parseSysCounter('t', ' 42\n')).toBe(42);
  });

  it('refuses what is not a counter, naming the topic', () => {
    expect(() => parseSysCounter('$SYS/broker/publish/messages/dropped', '12 seconds')).toThrow(/dropped.*"12 seconds"/);
    expect(() => parseSysCounter('t', '')).toThrow(SysValueError);
    expect(() => parseSysCounter('t', '-1')).toThrow(SysValueError);
  });

  it('gives what a run added, counter by counter', () => {
    expect(sysDifference({ dropped: 3, received: 100, sent: 250 }, { dropped: 1389, received: 3100, sent: 6250 })).toEqual({ dropped: 1386, received: 3000, sent: 6000 });
    expect(sysDifference({ dropped: 0, received: 0, sent: 0 }, { dropped: 0, received: 0, sent: 0 })).toEqual({ dropped: 0, received: 0, sent: 0 });
  });

  it('says so when a counter went down: the broker restarted between the readings', () => {
    expect(() => sysDifference({ dropped: 5, received: 10, sent: 10 }, { dropped: 0, received: 20, sent: 20 })).toThrow(/restarted/);
  });
});
