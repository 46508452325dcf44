/** A presigned URL ws cannot use: the error says so without quoting the URL (its signature is a secret). */
import { describe, expect, it } from 'vitest';
import { MqttPublishConnection } from '../../../src/adapters/mqtt-publish-connection.js';

describe('MqttPublishConnection', () => {
  it('refuses an unusable URL with an error that does not carry it', () => {
    const url = 'wss://data.example:99999/mqtt?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=5ec12e7abc&X-Amz-Security-Token=tok3n';
    let caught: unknown;
    try {
      new MqttPublishConnection({ url, clientId: 'c', keepAliveSeconds: 60, publishesPerSecond: 90, ackTimeoutMs: 1_000, now: Date.now, onRoom: () => undefined, onGone: () => undefined });
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ name: 'InvalidRequestException' });
    const all = `${String(caught)} ${(caught as Error).stack ?? ''} ${JSON.stringify(caught)}`;
    for (const secret of ['5ec12e7abc', 'tok3n', 'AKIAEXAMPLE', 'data.example']) expect(all).not.toContain(secret);
  });
});
