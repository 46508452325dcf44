/** `fleet-enroll emulator --tls --tier advanced`: https with the certificate it wrote out, the tier it was given. */
import { GetServiceSettingCommand, SSMClient } from '@aws-sdk/client-ssm';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { emulatorExports } from './emulator-exports.js';

const BIN = fileURLToPath(new URL('../../../bin/fleet-enroll.js', import.meta.url));

describe('fleet-enroll emulator --tls --tier', () => {
  it('serves https with the certificate it wrote, answers the tier it started with', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fleet-cli-tls-'));
    const child = spawn(process.execPath, [BIN, 'emulator', '--tls', '--tls-dir', dir, '--tier', 'advanced'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const { out, env } = await emulatorExports(child);
      expect(env['AWS_ENDPOINT_URL_SSM']).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(env['AWS_CA_BUNDLE']).toBe(join(dir, 'cert.pem'));
      expect(out).toContain(`NODE_EXTRA_CA_CERTS=${join(dir, 'cert.pem')}`);
      const ca = readFileSync(env['AWS_CA_BUNDLE']!, 'utf8');

      const credentials = { accessKeyId: env['AWS_ACCESS_KEY_ID']!, secretAccessKey: env['AWS_SECRET_ACCESS_KEY']! };
      const trusting = new SSMClient({ maxAttempts: 1, region: env['AWS_REGION'], endpoint: env['AWS_ENDPOINT_URL_SSM'], credentials, requestHandler: { httpsAgent: new Agent({ ca }) } });
      const out1 = await trusting.send(new GetServiceSettingCommand({ SettingId: '/ssm/managed-instance/activation-tier' }));
      expect(out1.ServiceSetting).toMatchObject({ SettingValue: 'advanced', Status: 'Customized' });
      trusting.destroy();
      // a client that does not trust the certificate is refused by TLS, not answered
      const wary = new SSMClient({ maxAttempts: 1, region: env['AWS_REGION'], endpoint: env['AWS_ENDPOINT_URL_SSM'], credentials });
      const refused = await wary.send(new GetServiceSettingCommand({ SettingId: '/ssm/managed-instance/activation-tier' })).then(() => undefined, (e: Error & { code?: string }) => e);
      expect(String(refused?.code ?? refused?.message)).toMatch(/SELF_SIGNED|self.signed|certificate/i);
      wary.destroy();
    } finally {
      child.kill('SIGINT');
      await rm(dir, { recursive: true, force: true });
    }
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
  });
});
