import { describe, expect, it } from 'vitest';
import { ackPathRows } from '../../../bench/scenarios/ack-path-rows.js';

const acks = { published: { first: 3000, repeats: 12 }, received: { accepted: 2990, stale: 8 } };
const value = (rows: ReturnType<typeof ackPathRows>, figure: string) => rows.find((r) => r[0] === figure);

describe('ackPathRows', () => {
  it('counts first acks and repeats as published, every verdict as received, and says how many went missing', () => {
    const rows = ackPathRows(acks, { kind: 'embedded' });
    expect(value(rows, 'acks published (devices)')?.[1]).toBe(3012);
    expect(value(rows, 'acks published (devices)')?.[2]).toContain('first 3,000, repeats 12');
    expect(value(rows, 'acks received (orchestrator)')?.[1]).toBe(2998);
    expect(value(rows, 'acks received (orchestrator)')?.[2]).toMatch(/^accepted 2,990, stale 8 .*14 fewer than published$/);
  });

  it('says when every ack arrived', () => {
    const rows = ackPathRows({ published: { first: 10, repeats: 0 }, received: { accepted: 10 } }, { kind: 'embedded' });
    expect(value(rows, 'acks received (orchestrator)')?.[2]).toContain('every ack published was received');
  });

  it('has no drop count for the embedded broker, and says why', () => {
    const rows = ackPathRows(acks, { kind: 'embedded' });
    expect(value(rows, 'MQTT broker')?.[1]).toBe('embedded');
    expect(value(rows, 'dropped by the broker')?.[1]).toBe('n/a');
    expect(value(rows, 'dropped by the broker')?.[2]).toContain('aedes does not drop QoS 1 to connected clients');
  });

  it("gives Mosquitto's drops over the run, and its sent count without the bench's own $SYS messages", () => {
    const rows = ackPathRows(acks, { kind: 'mosquitto', version: 'mosquitto version 2.0.11', sys: { dropped: 14, received: 2998, sent: 9030 }, sysReaderMessages: 30 });
    expect(value(rows, 'MQTT broker')?.[2]).toContain('mosquitto version 2.0.11');
    expect(value(rows, 'dropped by the broker')?.[1]).toBe(14);
    expect(value(rows, 'dropped by the broker')?.[2]).toMatch(/received 2,998 .*sent 9,000 .*own 30 \$SYS messages/);
  });
});
