import { DescribeActivationsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection, startEmulatorFixture, type EmulatorFixture } from './aws-clients.js';

const run = promisify(execFile);
let fx: EmulatorFixture;

beforeAll(async () => {
  fx = await startEmulatorFixture({ credentials: { accessKeyId: 'AKIDTESTSIGV4', secretAccessKey: 'the-right-secret' } });
});
afterAll(async () => fx.close());

/** curl's own SigV4 implementation (--aws-sigv4): a client that shares no code with the AWS SDK. */
async function curl(service: string, user: string, args: string[]): Promise<{ status: number; body: unknown }> {
  const { stdout } = await run('curl', ['-s', '-w', '\n%{http_code}', '--aws-sigv4', `aws:amz:us-east-1:${service}`, '--user', user, ...args]);
  const lines = stdout.trimEnd().split('\n');
  const status = Number(lines.pop());
  return { status, body: JSON.parse(lines.join('\n') || '{}') };
}

const ssmCurl = (user: string, target: string, body: string) =>
  curl('ssm', user, ['-H', `X-Amz-Target: AmazonSSM.${target}`, '-H', 'Content-Type: application/x-amz-json-1.1', '-d', body, `${fx.emulator.url}/`]);

describe('SigV4', () => {
  it('refuses a bad signature and an unknown key the way AWS does', async () => {
    const badSecret = new SSMClient({ maxAttempts: 1, credentials: { accessKeyId: 'AKIDTESTSIGV4', secretAccessKey: 'wrong' } });
    const unknownKey = new SSMClient({ maxAttempts: 1, credentials: { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'the-right-secret' } });
    try {
      const bad = await rejection(badSecret.send(new DescribeActivationsCommand({})));
      expect(bad.name).toBe('InvalidSignatureException');
      expect(bad.$metadata?.httpStatusCode).toBe(403);
      expect(bad.message).toMatch(/signature we calculated does not match/);
      const unknown = await rejection(unknownKey.send(new DescribeActivationsCommand({})));
      expect(unknown.name).toBe('UnrecognizedClientException');
      expect(unknown.$metadata?.httpStatusCode).toBe(403);
    } finally {
      badSecret.destroy();
      unknownKey.destroy();
    }
    const unsigned = await fetch(`${fx.emulator.url}/`, { method: 'POST', headers: { 'x-amz-target': 'AmazonSSM.DescribeActivations' }, body: '{}' });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
    expect(fx.emulator.state.authFailures).toBe(3);
    // nothing refused for its signature reached an operation
    expect(fx.emulator.state.operations['ssm.DescribeActivations']).toBeUndefined();
  });

  it('accepts the SDK with the right credentials from the environment', async () => {
    const out = await fx.ssm().send(new DescribeActivationsCommand({}));
    expect(out.ActivationList).toEqual([]);
  });
});

describe('a second, independent client: curl --aws-sigv4', () => {
  it('creates and lists an activation over awsJson1_1, signed by curl', async () => {
    const created = await ssmCurl('AKIDTESTSIGV4:the-right-secret', 'CreateActivation', JSON.stringify({ IamRole: 'EdgeSSMRole', RegistrationLimit: 2, DefaultInstanceName: 'fleet-curl', Tags: [{ Key: 'fleet:site', Value: 'curl' }] }));
    expect(created.status).toBe(200);
    const { ActivationId } = created.body as { ActivationId: string; ActivationCode: string };
    expect(ActivationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    const listed = await ssmCurl('AKIDTESTSIGV4:the-right-secret', 'DescribeActivations', JSON.stringify({ Filters: [{ FilterKey: 'DefaultInstanceName', FilterValues: ['fleet-curl'] }] }));
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ ActivationList: [{ ActivationId, RegistrationLimit: 2, RegistrationsCount: 0, Expired: false, Tags: [{ Key: 'fleet:site', Value: 'curl' }] }] });
    expect(typeof (listed.body as { ActivationList: { CreatedDate: unknown }[] }).ActivationList[0]!.CreatedDate).toBe('number');

    const refused = await ssmCurl('AKIDTESTSIGV4:the-right-secret', 'CreateActivation', JSON.stringify({ IamRole: 'R', RegistrationLimit: 1001 }));
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ __type: 'ValidationException', message: expect.stringMatching(/registrationLimit/) });
  });

  it('speaks restJson1 to the IoT control plane, signed by curl', async () => {
    const created = await curl('iot', 'AKIDTESTSIGV4:the-right-secret', ['-X', 'POST', '-H', 'Content-Type: application/json', '-d', '{"attributePayload":{"attributes":{"model":"X1"}}}', `${fx.emulator.url}/things/edge-curl-1`]);
    expect(created).toMatchObject({ status: 200, body: { thingName: 'edge-curl-1' } });
    const described = await curl('iot', 'AKIDTESTSIGV4:the-right-secret', [`${fx.emulator.url}/things/edge-curl-1`]);
    expect(described).toMatchObject({ status: 200, body: { thingName: 'edge-curl-1', attributes: { model: 'X1' } } });
  });

  it('refuses curl with a wrong secret or an unknown key', async () => {
    expect(await ssmCurl('AKIDTESTSIGV4:wrong', 'DescribeActivations', '{}')).toMatchObject({ status: 403, body: { __type: 'InvalidSignatureException' } });
    expect(await ssmCurl('AKIDNOBODY:the-right-secret', 'DescribeActivations', '{}')).toMatchObject({ status: 403, body: { __type: 'UnrecognizedClientException' } });
  });
});
