/**
 * Test support: starts an emulator and points the unmodified AWS SDK clients at it the way a user
 * would, through AWS_ENDPOINT_URL_SSM / _IOT / _IOT_DATA_PLANE and the SDK's credential variables
 * (no `endpoint` option: the SDK must pick them up itself). Restores the environment afterwards.
 */
import { IoTClient } from '@aws-sdk/client-iot';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { CreateActivationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../../src/emulator/index.js';

export interface EmulatorFixture {
  readonly emulator: RunningEmulator;
  /** clients built after the variables were set; `maxAttempts: 1` so every call is counted once */
  ssm(region?: string): SSMClient;
  iot(): IoTClient;
  iotData(): IoTDataPlaneClient;
  close(): Promise<void>;
}

export async function startEmulatorFixture(options: EmulatorOptions = {}): Promise<EmulatorFixture> {
  const emulator = await startEmulator(options);
  const saved = Object.fromEntries(Object.keys(emulator.env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, emulator.env);
  const clients: { destroy(): void }[] = [];
  const track = <T extends { destroy(): void }>(client: T): T => {
    clients.push(client);
    return client;
  };
  return {
    emulator,
    ssm: (region) => track(new SSMClient({ maxAttempts: 1, ...(region ? { region } : {}) })),
    iot: () => track(new IoTClient({ maxAttempts: 1 })),
    iotData: () => track(new IoTDataPlaneClient({ maxAttempts: 1 })),
    close: async () => {
      for (const client of clients) client.destroy();
      await emulator.close();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}

/** The error an SDK call rejects with (fails the test if it resolves). */
export async function rejection(call: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await call;
  } catch (error) {
    return error as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to be refused, it succeeded');
}

/** POST /emulator/register, as the device's SSM agent registration would. */
export async function register(url: string, body: Record<string, unknown>): Promise<{ status: number; json: Record<string, string> }> {
  const res = await fetch(`${url}/emulator/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, string> };
}

export interface TestActivationOptions {
  readonly expiresAt: Date;
  readonly tags?: { Key: string; Value: string }[];
  readonly region?: string;
}

/** A CreateActivation as fleet-enroll makes them (role, limit, name, site and batch tags); its id and code. */
export async function createTestActivation(fx: EmulatorFixture, limit: number, name: string, options: TestActivationOptions): Promise<{ id: string; code: string }> {
  const out = await fx.ssm(options.region).send(
    new CreateActivationCommand({
      IamRole: 'EdgeSSMRole',
      RegistrationLimit: limit,
      DefaultInstanceName: name,
      ExpirationDate: options.expiresAt,
      Tags: options.tags ?? [{ Key: 'fleet:site', Value: 'plant-1' }, { Key: 'fleet:batch', Value: name }],
    }),
  );
  return { id: out.ActivationId!, code: out.ActivationCode! };
}
