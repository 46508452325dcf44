import { describe, expect, it } from 'vitest';
import { AWS_IOT_MAX_MESSAGE_EXPIRY_SECONDS, publishExpirySeconds } from '../../../src/domain/aws-iot-limits.js';

describe('publishExpirySeconds', () => {
  it('rounds up to whole seconds, at least 1, at most the cap', () => {
    expect(publishExpirySeconds(3_600)).toBe(3_600);
    expect(publishExpirySeconds(59.2)).toBe(60);
    expect(publishExpirySeconds(0.2)).toBe(1);
    expect(publishExpirySeconds(-5)).toBe(1);
    expect(publishExpirySeconds(10 * 86_400)).toBe(AWS_IOT_MAX_MESSAGE_EXPIRY_SECONDS);
    expect(publishExpirySeconds(120, 60)).toBe(60);
  });
});
