import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/adapters/metrics.js';
import { addAckCounts, mqttAcksReceived } from '../../../src/cli/demo/mqtt-acks-received.js';

describe('mqttAcksReceived', () => {
  it("counts a process's MQTT acks by verdict, leaving out those that came over HTTP", async () => {
    const metrics = new Metrics();
    metrics.acks.inc({ source: 'mqtt', result: 'accepted' }, 5);
    metrics.acks.inc({ source: 'mqtt', result: 'stale' }, 2);
    metrics.acks.inc({ source: 'http', result: 'accepted' }, 7);
    expect(await mqttAcksReceived(metrics)).toEqual({ accepted: 5, stale: 2 });
  });

  it('is empty before any ack', async () => {
    expect(await mqttAcksReceived(new Metrics())).toEqual({});
  });
});

describe('addAckCounts', () => {
  it("adds several processes' counts verdict by verdict", () => {
    expect(addAckCounts({ accepted: 5, stale: 2 }, {}, { accepted: 1, forged: 1 })).toEqual({ accepted: 6, stale: 2, forged: 1 });
    expect(addAckCounts()).toEqual({});
  });
});
