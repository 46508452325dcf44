/**
 * The presigned MQTT URL against the SDK's own presign (`@smithy/signature-v4`): for the same request at the
 * same instant with the same key, the same URL to the byte — parameters, their order and escaping, signature —
 * and the session token only after it, outside the signature (AWS IoT's rule for MQTT over WebSocket).
 */
import { buildQueryString } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { presignedUrl } from '../../../src/adapters/sigv4-presigned-url.js';
import { escapeRfc3986 } from '../../../src/adapters/sigv4-request-signer.js';
import { NodeSha256 } from '../../support/node-sha256.js';

const STATIC: AwsCredentialIdentity = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+token+with/slashes==';
const AT = Date.UTC(2026, 11, 1, 14, 45, 7, 321);

/** the SDK's presigned URL for the same connection, its query written by the SDK's own query builder */
async function sdkUrl(url: URL, region: string, credentials: AwsCredentialIdentity, at: number): Promise<string> {
  const signer = new SignatureV4({ service: 'iotdevicegateway', region, credentials, sha256: NodeSha256 });
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: {},
      headers: { host: url.host },
    },
    { signingDate: new Date(at), expiresIn: 86_400 },
  );
  return `${url.protocol}//${url.host}${url.pathname}?${buildQueryString(presigned.query ?? {})}`;
}

describe('presignedUrl', () => {
  it('is the SDK presign to the byte, for the AWS endpoint and a stand-in with a port', async () => {
    for (const raw of ['wss://a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com/mqtt', 'ws://127.0.0.1:4566/mqtt', 'wss://localhost:8443/mqtt']) {
      const url = new URL(raw);
      const ours = presignedUrl({ url, service: 'iotdevicegateway', region: 'us-east-1', credentials: STATIC, expiresInSeconds: 86_400, now: AT });
      expect(ours).toBe(await sdkUrl(url, 'us-east-1', STATIC, AT));
    }
  });

  it('appends the session token after the signature, escaped, and leaves it out of what is signed', async () => {
    const url = new URL('wss://example-ats.iot.eu-west-1.amazonaws.com/mqtt');
    const ours = presignedUrl({ url, service: 'iotdevicegateway', region: 'eu-west-1', credentials: { ...STATIC, sessionToken: TOKEN }, expiresInSeconds: 86_400, now: AT });
    const withoutToken = await sdkUrl(url, 'eu-west-1', STATIC, AT);
    expect(ours).toBe(`${withoutToken}&X-Amz-Security-Token=${escapeRfc3986(TOKEN)}`);
    expect(ours).toContain('X-Amz-Security-Token=IQoJb3JpZ2luX2VjEXAMPLE%2F%2F');
    expect(ours).toContain('X-Amz-Credential=AKIDEXAMPLE%2F20261201%2Feu-west-1%2Fiotdevicegateway%2Faws4_request');
    expect(ours).toMatch(/X-Amz-Date=20261201T144507Z&X-Amz-Expires=86400&X-Amz-Signature=[0-9a-f]{64}&X-Amz-SignedHeaders=host&X-Amz-Security-Token=/);
  });

  it('matches the SDK for any instant, Region and key', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }),
        fc.constantFrom('us-east-1', 'eu-central-1', 'ap-southeast-2'),
        fc.stringMatching(/^[A-Z0-9]{16,20}$/),
        fc.string({ minLength: 1, maxLength: 40 }),
        async (at, region, accessKeyId, secretAccessKey) => {
          const url = new URL('wss://host.example:8883/mqtt');
          const credentials = { accessKeyId, secretAccessKey };
          expect(presignedUrl({ url, service: 'iotdevicegateway', region, credentials, expiresInSeconds: 86_400, now: at })).toBe(await sdkUrl(url, region, credentials, at));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses credentials that are not credentials', () => {
    const url = new URL('wss://h/mqtt');
    expect(() => presignedUrl({ url, service: 's', region: 'r', credentials: {} as AwsCredentialIdentity, expiresInSeconds: 1, now: AT })).toThrow(/not valid/);
  });
});
