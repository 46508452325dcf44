/**
 * The certificate of the emulator's TLS mode (`--tls`): self-signed for localhost and 127.0.0.1, made at
 * run time with the `openssl` CLI (node's crypto makes keys, not X.509 certificates) and written out, so
 * a client can trust exactly it (NODE_EXTRA_CA_CERTS, AWS_CA_BUNDLE, an agent's `ca`).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SelfSignedCertificate {
  /** PEM files: the certificate is also the CA a client trusts */
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** Writes cert.pem and key.pem into `dir` (created if missing; default a fresh temporary directory). */
export async function makeSelfSignedCertificate(dir?: string, host = '127.0.0.1'): Promise<SelfSignedCertificate> {
  const where = dir ?? (await mkdtemp(join(tmpdir(), 'fleet-emulator-tls-')));
  await mkdir(where, { recursive: true });
  const certFile = join(where, 'cert.pem');
  const keyFile = join(where, 'key.pem');
  const names = new Set(['DNS:localhost', 'IP:127.0.0.1', /^[\d.]+$/.test(host) ? `IP:${host}` : `DNS:${host}`]);
  try {
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '30', '-subj', '/CN=fleet-enroll emulator',
      '-addext', `subjectAltName=${[...names].join(',')}`,
    ]);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the openssl command is not installed' : String((error as { stderr?: string }).stderr ?? error);
    throw new Error(`emulator --tls: could not make a self-signed certificate: ${why}`);
  }
  return { certFile, keyFile, cert: await readFile(certFile), key: await readFile(keyFile) };
}
