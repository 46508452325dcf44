/** The SSM agent's registration file (`/var/lib/amazon/ssm/registration`): JSON with "ManagedInstanceID". */
import { readFile } from 'node:fs/promises';
import { DeviceError } from './device-errors.js';

export const DEFAULT_REGISTRATION_FILE = '/var/lib/amazon/ssm/registration';

const MANAGED_NODE_ID = /^mi-[0-9a-f]{17}$/;

export async function readManagedNodeId(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new DeviceError('REGISTRATION_FILE_INVALID', `registration file ${path} could not be read (${code})`);
  }
  let id: unknown;
  try {
    id = (JSON.parse(text) as Record<string, unknown>).ManagedInstanceID;
  } catch {
    throw new DeviceError('REGISTRATION_FILE_INVALID', `registration file ${path} is not JSON`);
  }
  if (typeof id !== 'string' || !MANAGED_NODE_ID.test(id)) {
    throw new DeviceError('REGISTRATION_FILE_INVALID', `registration file ${path} has no valid ManagedInstanceID (mi- + 17 hex)`);
  }
  return id;
}
