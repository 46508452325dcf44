import { CreateActivationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { emulatorExports } from './emulator-exports.js';

const BIN = fileURLToPath(new URL('../../../bin/fleet-enroll.js', import.meta.url));

describe('fleet-enroll emulator', () => {
  it('prints the exports to paste; an SDK configured only by them works; Ctrl-C stops it cleanly', async () => {
    const child = spawn(process.execPath, [BIN, 'emulator', '--mqtt-url', 'mqtt://127.0.0.1:1883', '--faults', '{"ssm.CreateActivation":{"error":1}}'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const { env } = await emulatorExports(child);
      expect(Object.keys(env).sort()).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_ENDPOINT_URL_IOT', 'AWS_ENDPOINT_URL_IOT_DATA_PLANE', 'AWS_ENDPOINT_URL_SSM', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY']);

      const client = new SSMClient({
        maxAttempts: 1,
        region: env['AWS_REGION'],
        endpoint: env['AWS_ENDPOINT_URL_SSM'],
        credentials: { accessKeyId: env['AWS_ACCESS_KEY_ID']!, secretAccessKey: env['AWS_SECRET_ACCESS_KEY']! },
      });
      // the --faults flag took effect: every CreateActivation fails with a 500
      const error = await client.send(new CreateActivationCommand({ IamRole: 'R' })).then(() => undefined, (e: Error) => e);
      expect(error?.name).toBe('InternalServerError');
      client.destroy();
    } finally {
      child.kill('SIGINT');
    }
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
  });

  it('refuses a bad flag with one line naming it and exit code 2', async () => {
    const child = spawn(process.execPath, [BIN, 'emulator', '--node-quota', 'lots'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(2);
    expect(err).toMatch(/--node-quota: must be a whole number or "unlimited"/);
  });
});
