/**
 * The lean signer against the SDK's own (`@smithy/signature-v4`, itself tested on AWS's SigV4 suite): for the
 * same request at the same instant with the same credentials, the same headers to the byte — signature,
 * signed header list, payload hash, date, token.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeRfc3986, SigV4RequestSigner, type SigV4Request } from '../../../src/adapters/sigv4-request-signer.js';
import { NodeSha256 } from '../../support/node-sha256.js';


const STATIC: AwsCredentialIdentity = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SESSION: AwsCredentialIdentity = {
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+token+with/slashes==',
};
const PUBLISH_HEADERS = { 'content-type': 'application/octet-stream' };
const SSM_HEADERS = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.AddTagsToResource' };
const AT = Date.UTC(2026, 11, 1, 14, 45, 7, 321);

function queryRecord(query: string): Record<string, string> {
  const record: Record<string, string> = {};
  for (const pair of query ? query.split('&') : []) {
    const [k, v] = pair.split('=') as [string, string];
    record[decodeURIComponent(k)] = decodeURIComponent(v);
  }
  return record;
}

/** the signer's name/value pairs as a header record, each name once */
async function signed(signer: SigV4RequestSigner, request: SigV4Request): Promise<Record<string, string>> {
  const pairs = await signer.sign(request);
  const record: Record<string, string> = {};
  for (let i = 0; i < pairs.length; i += 2) {
    expect(record).not.toHaveProperty(pairs[i]!);
    record[pairs[i]!] = pairs[i + 1]!;
  }
  return record;
}

/** what the SDK's signer sends for the request */
async function sdkHeaders(host: string, service: string, region: string, credentials: AwsCredentialIdentity, request: SigV4Request, at: number) {
  const [hostname, port] = host.split(':') as [string, string | undefined];
  const signer = new SignatureV4({ service, region, credentials, sha256: NodeSha256 });
  const sdk = await signer.sign(
    {
      method: request.method,
      protocol: 'https:',
      hostname,
      ...(port ? { port: Number(port) } : {}),
      path: request.path,
      query: queryRecord(request.query),
      headers: { ...request.headers, host, 'content-length': String(request.body.length) },
      body: request.body,
    },
    { signingDate: new Date(at) },
  );
  return sdk.headers;
}

function publish(topic: string, payload: string, messageExpiry?: number, base = ''): SigV4Request {
  return {
    method: 'POST',
    path: `${base}/topics/${escapeRfc3986(topic)}`,
    query: messageExpiry === undefined ? 'qos=1&retain=true' : `messageExpiry=${messageExpiry}&qos=1&retain=true`,
    headers: PUBLISH_HEADERS,
    body: Buffer.from(payload),
  };
}

describe('SigV4RequestSigner', () => {
  const host = 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com';

  it.each([
    ['a retained credentials message', publish('fleet/enroll/plant-1/SN-1/activation', '{"v":1,"activationCode":"x"}', 3_600)],
    ['the clear (empty body, no expiry)', publish('fleet/enroll/plant-1/SN-1/activation', '')],
    ['a topic to escape', publish("fleet/enroll/plant é-1/SN 1=2(x)!*'~/activation", '{}', 60)],
    ['a topic that is a dot segment', publish('..', '{}', 60)],
  ])('signs %s as the SDK does', async (_, request) => {
    const signer = new SigV4RequestSigner(host, 'iotdata', 'eu-west-1', async () => STATIC, () => AT);
    expect(await signed(signer, request)).toEqual(await sdkHeaders(host, 'iotdata', 'eu-west-1', STATIC, request, AT));
  });

  it('signs an SSM JSON call with a session token, at an endpoint with a port and a base path, as the SDK does', async () => {
    const local = 'localhost:4566';
    const signer = new SigV4RequestSigner(local, 'ssm', 'us-east-1', async () => SESSION, () => AT);
    const ssm: SigV4Request = { method: 'POST', path: '/', query: '', headers: SSM_HEADERS, body: Buffer.from('{"ResourceType":"ManagedInstance","ResourceId":"mi-0123","Tags":[{"Key":"a","Value":"é b"}]}') };
    const headers = await signed(signer, ssm);
    expect(headers).toEqual(await sdkHeaders(local, 'ssm', 'us-east-1', SESSION, ssm, AT));
    expect(headers['x-amz-security-token']).toBe(SESSION.sessionToken);
    const based = publish('t/1', 'x', 5, '/base/v1');
    expect(await signed(signer, based)).toEqual(await sdkHeaders(local, 'ssm', 'us-east-1', SESSION, based, AT));
  });

  it('normalises a path with empty and dot segments as the SDK does', async () => {
    const signer = new SigV4RequestSigner(host, 'iotdata', 'eu-west-1', async () => STATIC, () => AT);
    for (const path of ['/a/./b/../c//d/', '/a%2Fb/./c', '/', '/.hidden/x', '/a/..', '/a/b/']) {
      const request: SigV4Request = { method: 'POST', path, query: '', headers: PUBLISH_HEADERS, body: Buffer.from('1') };
      expect(await signed(signer, request), path).toEqual(await sdkHeaders(host, 'iotdata', 'eu-west-1', STATIC, request, AT));
    }
  });

  it('follows rotated credentials and a new day as the SDK does: the provider is asked on every call', async () => {
    let credentials = STATIC;
    let now = Date.UTC(2026, 11, 1, 23, 59, 59, 900);
    const signer = new SigV4RequestSigner(host, 'iotdata', 'eu-west-1', async () => credentials, () => now);
    const request = publish('t/rotate', '{}', 10);
    expect(await signed(signer, request)).toEqual(await sdkHeaders(host, 'iotdata', 'eu-west-1', STATIC, request, now));
    // the same key id with a new secret: the signing key is derived again
    credentials = { ...STATIC, secretAccessKey: 'another-secret' };
    expect(await signed(signer, request)).toEqual(await sdkHeaders(host, 'iotdata', 'eu-west-1', credentials, request, now));
    credentials = SESSION;
    expect(await signed(signer, request)).toEqual(await sdkHeaders(host, 'iotdata', 'eu-west-1', SESSION, request, now));
    credentials = { ...SESSION, sessionToken: 'a-new-token' };
    expect(await signed(signer, request)).toEqual(await sdkHeaders(host, 'iotdata', 'eu-west-1', credentials, request, now));
    // past midnight: a new scope and signing key
    now += 200;
    expect(await signed(signer, request)).toEqual(await sdkHeaders(host, 'iotdata', 'eu-west-1', credentials, request, now));
  });

  it('signs any topic, payload and instant as the SDK does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
        fc.string({ maxLength: 200 }),
        fc.option(fc.integer({ min: 1, max: 604_800 }), { nil: undefined }),
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }),
        async (topic, payload, expiry, at) => {
          const signer = new SigV4RequestSigner(host, 'iotdata', 'eu-west-1', async () => STATIC, () => at);
          const request = publish(topic, payload, expiry);
          expect(await signed(signer, request)).toEqual(await sdkHeaders(host, 'iotdata', 'eu-west-1', STATIC, request, at));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a request shape carrying a header it sets itself, and credentials that are no credentials', async () => {
    const signer = new SigV4RequestSigner(host, 'iotdata', 'eu-west-1', async () => STATIC, () => AT);
    await expect(signer.sign({ ...publish('t', ''), headers: { host: 'elsewhere' } })).rejects.toThrow(/host/);
    await expect(signer.sign({ ...publish('t', ''), headers: { 'Content-Type': 'x' } })).rejects.toThrow(/Content-Type/);
    const broken = new SigV4RequestSigner(host, 'iotdata', 'eu-west-1', async () => ({}) as AwsCredentialIdentity, () => AT);
    await expect(broken.sign(publish('t', ''))).rejects.toThrow(/not valid/);
  });
});
