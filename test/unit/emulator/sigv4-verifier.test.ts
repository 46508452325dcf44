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

describe('SigV4 query-string presigned URLs (AWS IoT MQTT over WebSocket)', () => {
  // a URL `@smithy/signature-v4` presign() made for GET example.amazonaws.com/mqtt, service
  // iotdevicegateway, at SIGNED_AT, expiresIn 86400, signed header host; the token appended after
  const credential = 'AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fiotdevicegateway%2Faws4_request';
  const presigned = (signature: string, extra = '') =>
    `/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${credential}&X-Amz-Date=20150830T123600Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=${signature}${extra}`;
  const at = (ms: number) => new SigV4Verifier([{ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }], () => ms);
  const host = { host: 'example.amazonaws.com' };

  it('accepts the SDK presigner\'s URL, with or without a token appended after signing, until X-Amz-Expires', async () => {
    const signature = await smithyPresignSignature();
    expect(at(SIGNED_AT).verifyPresigned({ method: 'GET', url: presigned(signature), headers: host })).toEqual({ accessKeyId: 'AKIDEXAMPLE', region: 'us-east-1', service: 'iotdevicegateway' });
    expect(at(SIGNED_AT + 86_400_000).verifyPresigned({ method: 'GET', url: presigned(signature, '&X-Amz-Security-Token=a%2Fb%2B%3D'), headers: host }).service).toBe('iotdevicegateway');
    expect(() => at(SIGNED_AT + 86_401_000).verifyPresigned({ method: 'GET', url: presigned(signature), headers: host })).toThrow(/Signature expired/);
    expect(() => at(SIGNED_AT - 16 * 60_000).verifyPresigned({ method: 'GET', url: presigned(signature), headers: host })).toThrow(/not yet current/);
    expect(() => at(SIGNED_AT).verifyPresigned({ method: 'GET', url: presigned(signature), headers: { host: 'other.example.com' } })).toThrow(expect.objectContaining({ name: 'InvalidSignatureException', status: 403 }));
    expect(() => at(SIGNED_AT).verifyPresigned({ method: 'GET', url: presigned(signature, '&extra=1'), headers: host })).toThrow(expect.objectContaining({ name: 'InvalidSignatureException' }));
    expect(() => at(SIGNED_AT).verifyPresigned({ method: 'GET', url: '/mqtt', headers: host })).toThrow(expect.objectContaining({ name: 'MissingAuthenticationTokenException' }));
    expect(() => at(SIGNED_AT).verifyPresigned({ method: 'GET', url: presigned('zz'), headers: host })).toThrow(expect.objectContaining({ name: 'IncompleteSignatureException' }));
  });
});

async function smithyPresignSignature(): Promise<string> {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const { createHash, createHmac } = await import('node:crypto');
  class Sha256 {
    private readonly h;
    constructor(secret?: string | Uint8Array) {
      this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
    }
    update(d: string | Uint8Array): void {
      this.h.update(d);
    }
    digest(): Promise<Uint8Array> {
      return Promise.resolve(new Uint8Array(this.h.digest()));
    }
  }
  const signer = new SignatureV4({ service: 'iotdevicegateway', region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }, sha256: Sha256 as never });
  const signed = await signer.presign(
    { method: 'GET', protocol: 'https:', hostname: 'example.amazonaws.com', path: '/mqtt', query: {}, headers: { host: 'example.amazonaws.com' } },
    { expiresIn: 86_400, signingDate: new Date(SIGNED_AT) },
  );
  return String(signed.query?.['X-Amz-Signature']);
}
