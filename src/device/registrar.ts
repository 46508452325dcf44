/** What registers this device's SSM agent: the real `amazon-ssm-agent -register`, or a test's stand-in. */
import type { CredentialsMessage } from '../domain/messages.js';
import { DeviceError } from './device-errors.js';

export interface Registrar {
  /** Registers with the credentials; resolves to the managed node id (`mi-…`). */
  register(credentials: CredentialsMessage, thingName: string): Promise<string>;
}

/**
 * Registration failed. The message is safe to log and to publish in a `failed` ack: it never holds the
 * activation code (and no `cause` is kept, since Node's spawn errors quote the command line).
 */
export class RegistrationError extends DeviceError {
  constructor(message: string, permanent: boolean) {
    super(permanent ? 'REGISTRATION_REFUSED' : 'REGISTRATION_FAILED', message);
  }
}
