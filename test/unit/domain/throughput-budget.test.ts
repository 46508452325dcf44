import { describe, expect, it } from 'vitest';
import { budgetThroughput } from '../../../src/domain/throughput-budget.js';

describe('budgetThroughput', () => {
  it('the default budgets (SSM 50/s, CreateActivation 5/s, IoT 10,000/s, tags 10/s) with batches of 1,000', () => {
    expect(
      budgetThroughput({ ssmPerSecond: 50, createActivationPerSecond: 5, iotPublishPerSecond: 10_000, tagPerSecond: 10, batchSize: 1000, tagging: true }),
    ).toEqual({ createActivation: 5000, ssm: 2173, iotPublish: 5000, registered: 2173, limitedBy: 'ssm', tagged: 10, ssmCallsPerDevice: 0.023 });
  });

  it('small batches make CreateActivation the limit; tagging off has no tag figure', () => {
    const r = budgetThroughput({ ssmPerSecond: 50, createActivationPerSecond: 5, iotPublishPerSecond: 10_000, tagPerSecond: 10, batchSize: 10, tagging: false });
    expect(r).toMatchObject({ createActivation: 50, limitedBy: 'createActivation', registered: 50, tagged: null });
    // 3 calls per batch of 10 + one page per 50 devices
    expect(r.ssmCallsPerDevice).toBe(0.32);
  });

  it('the IoT publish budget: two publishes per device', () => {
    const r = budgetThroughput({ ssmPerSecond: 5000, createActivationPerSecond: 100, iotPublishPerSecond: 1000, tagPerSecond: 10, batchSize: 1000, tagging: true });
    expect(r).toMatchObject({ iotPublish: 500, limitedBy: 'iotPublish', registered: 500 });
  });

  it('on a tie names the first budget in the order createActivation, ssm, iotPublish', () => {
    const r = budgetThroughput({ ssmPerSecond: 5000, createActivationPerSecond: 5, iotPublishPerSecond: 1000, tagPerSecond: 10, batchSize: 100, tagging: true });
    expect(r).toMatchObject({ createActivation: 500, iotPublish: 500, limitedBy: 'createActivation', registered: 500 });
  });
});

