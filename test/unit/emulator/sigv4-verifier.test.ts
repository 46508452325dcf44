import { describe, expect, it } from 'vitest';
import { SigV4Verifier } from '../../../src/emulator/http/sigv4-verifier.js';

// AWS's published SigV4 test suite (aws-sig-v4-test-suite): credentials, time and expected signatures
const SIGNED_AT = Date.UTC(2015, 7, 30, 12, 36, 0);
const verifier = new SigV4Verifier([{ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }], () => SIGNED_AT);
const auth = (signature: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`;
const headers = (signature: string) => ({ host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z', authorization: auth(signature) });

describe('SigV4 verification against AWS test vectors', () => {
  it('accepts get-vanilla', () => {
    const scope = verifier.verify({ method: 'GET', url: '/', headers: headers('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'), body: Buffer.alloc(0) });
    expect(scope).toEqual({ accessKeyId: 'AKIDEXAMPLE', region: 'us-east-1', service: 'service' });
  });

  it('accepts get-vanilla-query-order-key-case (query sorted)', () => {
    const signed = { method: 'GET', url: '/?Param2=value2&Param1=value1', headers: headers('b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500'), body: Buffer.alloc(0) };
    expect(verifier.verify(signed).region).toBe('us-east-1');
  });

  it('refuses the same request with a changed method, path, body or header', () => {
    const good = '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31';
    const variants = [
      { method: 'POST', url: '/', headers: headers(good), body: Buffer.alloc(0) },
      { method: 'GET', url: '/x', headers: headers(good), body: Buffer.alloc(0) },
      { method: 'GET', url: '/', headers: headers(good), body: Buffer.from('{}') },
      { method: 'GET', url: '/', headers: { ...headers(good), host: 'other.example.com' }, body: Buffer.alloc(0) },
    ];
    for (const request of variants) expect(() => verifier.verify(request)).toThrow(expect.objectContaining({ name: 'InvalidSignatureException', status: 403 }));
  });

  it('names unknown keys, missing and malformed headers, and old signatures', () => {
    const unknown = { ...headers('0'.repeat(64)), authorization: auth('0'.repeat(64)).replace('AKIDEXAMPLE', 'AKIDOTHER') };
    expect(() => verifier.verify({ method: 'GET', url: '/', headers: unknown, body: Buffer.alloc(0) })).toThrow(expect.objectContaining({ name: 'UnrecognizedClientException' }));
    expect(() => verifier.verify({ method: 'GET', url: '/', headers: { host: 'h' }, body: Buffer.alloc(0) })).toThrow(expect.objectContaining({ name: 'MissingAuthenticationTokenException' }));
    expect(() => verifier.verify({ method: 'GET', url: '/', headers: { host: 'h', authorization: 'Basic abc' }, body: Buffer.alloc(0) })).toThrow(expect.objectContaining({ name: 'IncompleteSignatureException' }));
    const later = new SigV4Verifier([{ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }], () => SIGNED_AT + 16 * 60 * 1000);
    expect(() => later.verify({ method: 'GET', url: '/', headers: headers('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'), body: Buffer.alloc(0) })).toThrow(/Signature expired/);
  });
});
