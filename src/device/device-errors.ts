/**
 * The device side's errors, with codes of its own (the agent is a separate program on the device: the
 * orchestrator's codes describe its API and AWS calls, not a device's files and broker). Each code is
 * declared once with whether it is permanent: a permanent one stops the agent with its message, anything
 * else is tried again.
 */
import { CodedError } from '../domain/error-registry.js';

export const DEVICE_ERRORS = {
  /** SSM refused the registration (expired or used-up activation, bad code): the same credentials never work */
  REGISTRATION_REFUSED: { permanent: true },
  /** the SSM agent failed or timed out for a reason that may pass */
  REGISTRATION_FAILED: { permanent: false },
  /** the agent's registration file is missing, unreadable or holds no managed node id */
  REGISTRATION_FILE_INVALID: { permanent: true },
  /** the state file (which deliveries were handled) cannot be written or read */
  STATE_FILE_UNUSABLE: { permanent: true },
  /** the state file holds something else than a list of handled deliveries */
  STATE_FILE_DAMAGED: { permanent: true },
  /** the MQTT broker did not answer in time */
  BROKER_UNREACHABLE: { permanent: false },
  /** the MQTT broker refused the subscription (its policy does not allow the topic) */
  SUBSCRIPTION_REFUSED: { permanent: true },
} as const satisfies Record<string, { readonly permanent: boolean }>;

export type DeviceErrorCode = keyof typeof DEVICE_ERRORS;

export class DeviceError extends CodedError<DeviceErrorCode> {
  constructor(code: DeviceErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, DEVICE_ERRORS[code].permanent, message, options.cause);
  }
}
