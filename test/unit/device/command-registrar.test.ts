import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandRegistrar } from '../../../src/device/command-registrar.js';
import { FileDeliveryJournal } from '../../../src/device/delivery-journal.js';
import { RegistrationCommand } from '../../../src/device/registration-command.js';
import { RegistrationError } from '../../../src/device/registrar.js';
import type { CredentialsMessage } from '../../../src/domain/messages.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/local-register.mjs');
const CODE = 'Activation-Code-0123456789';
const credentials: CredentialsMessage = {
  v: 1,
  deliveryId: 'd1',
  deviceId: 'SN-1',
  siteId: 's',
  batchId: 'b',
  activationId: '0123abcd-0123-4567-89ab-0123456789ab',
  activationCode: CODE,
  region: 'eu-central-1',
  expiresAt: '2030-01-01T00:00:00Z',
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleet-agent-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function registrar(mode: string, timeoutMs?: number): CommandRegistrar {
  const registrationFile = join(dir, 'registration');
  const command = new RegistrationCommand(`"${process.execPath}" "${FIXTURE}" ${mode} "${registrationFile}" {code} {id}`);
  return new CommandRegistrar({ command, registrationFile, ...(timeoutMs ? { timeoutMs } : {}) });
}

async function failure(promise: Promise<unknown>): Promise<RegistrationError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RegistrationError);
  expect((err as Error).message).not.toContain(CODE);
  expect((err as Error).cause).toBeUndefined();
  return err as RegistrationError;
}

describe('CommandRegistrar', () => {
  it('runs the command and reads the managed node id from the registration file', async () => {
    expect(await registrar('ok').register(credentials, 'edge-1')).toBe('mi-0123456789abcdef0');
  });

  it('reports a failing command with its redacted output and exit status', async () => {
    const err = await failure(registrar('fail').register(credentials, 'edge-1'));
    expect(err.message).toBe(
      `registration command exited with status 3: some progress | Error: activation code [REDACTED] is not valid for ${credentials.activationId}`,
    );
    expect(err.permanent).toBe(true);
  });

  it('reports a command that wrote no registration file', async () => {
    const err = await failure(registrar('no-file').register(credentials, 'edge-1'));
    expect(err.message).toMatch(/registration file .* could not be read \(ENOENT\)/);
  });

  it('reports a missing program and kills a hung one', async () => {
    const missing = new CommandRegistrar({
      command: new RegistrationCommand('/nonexistent/amazon-ssm-agent -code {code}'),
      registrationFile: join(dir, 'registration'),
    });
    expect((await failure(missing.register(credentials, 'edge-1'))).message).toBe(
      'registration command not found: /nonexistent/amazon-ssm-agent',
    );
    const hung = await failure(registrar('hang', 300).register(credentials, 'edge-1'));
    expect(hung.message).toMatch(/timed out/);
    expect(hung.permanent).toBe(false);
  });
});

describe('FileDeliveryJournal', () => {
  it('remembers handled deliveries across restarts and keeps the newest', async () => {
    const path = join(dir, 'sub', 'state.json');
    const journal = await FileDeliveryJournal.open(path, 2);
    for (const id of ['d1', 'd2', 'd3']) {
      await journal.record({ deliveryId: id, activationId: 'a', managedNodeId: 'mi-0123456789abcdef0', at: 't' });
    }
    const reopened = await FileDeliveryJournal.open(path, 2);
    expect(reopened.find('d1')).toBeUndefined();
    expect(reopened.find('d3')?.managedNodeId).toBe('mi-0123456789abcdef0');
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ v: 1 });
  });

  it('refuses a damaged state file instead of forgetting what was registered', async () => {
    const path = join(dir, 'state.json');
    await writeFile(path, '{"handled":[{"deliveryId":1}]}');
    await expect(FileDeliveryJournal.open(path)).rejects.toThrow(/damaged/);
  });
});

describe('FileDeliveryJournal start-up', () => {
  it('refuses a state file it could not write, before any registration', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'x');
    await expect(FileDeliveryJournal.open(join(blocker, 'state.json'))).rejects.toThrow(/state file directory .* is not writable \((EEXIST|ENOTDIR)\); choose another with --state-file/);
  });
});
